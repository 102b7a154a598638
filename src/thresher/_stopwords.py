"""Function words of the languages most common in news crawls.

Written for thresher from general knowledge of each language (articles,
pronouns, auxiliaries, prepositions, conjunctions): the classifier uses the
share of such words in a block as a sign of running prose, as jusText does,
but over the union of languages so no page needs its language known first.
CJK scripts have no spaces; for them a set of function characters plays the
same role, counted per character.
"""

_WORDS = """
the a an and or but of to in on at by for with from as is are was were be been being has have had do does did
not no it its this that these those he she they we you i his her their our your my him them us who which what
when where how than then there here so if will would can could should may might must about into over after
before also just more most such only other some any all each very up out new said says one two
der die das den dem des ein eine einer eines einem einen und oder aber nicht ist sind war waren wird werden
wurde hat haben hatte ich du er sie es wir ihr mit von zu im in am an auf aus bei nach vor für über unter
auch noch nur schon wie als wenn dass daß sich sein seine ihre ihren dieser diese dieses man mehr sehr so
le la les un une des du de et ou mais ne pas est sont était ont avait il elle ils elles nous vous je tu
au aux en dans sur sous par pour avec sans que qui quoi dont où ce cette ces son sa ses leur leurs plus
aussi comme se si été être avoir fait y
el la los las un una unos unas y o pero no es son era fue han ha del al en con por para sin sobre que
quien cual como su sus lo le les se más muy también ya este esta estos estas ese esa entre hasta desde
il lo gli le uno una e ed o ma non è sono era di da del della delle dei degli al alla nel nella con per tra
fra su che chi come anche più molto questo questa quello quella si ci ne
o a os as um uma e ou mas não é são era foi de do da dos das no na nos nas em com por para sem que se
mais muito também este esta isso ao à pelo pela seu sua
de het een en of maar niet is zijn was waren wordt werd heeft hebben had ik je hij zij wij het van te
in op aan met voor door bij uit over naar als dat die dit deze ook nog al er
и в во не что он она они на я с со как а то все это так его но да ты к у же вы за бы по только ее мне
было вот от меня еще нет о из ему теперь когда даже ну вдруг ли если уже или ни быть был него до вас
нибудь опять уж вам ведь там потом себя ничего ей может тут где есть надо ней для мы тебя их чем была
сам чтоб без будто чего раз тоже себе под будет ж тогда кто этот того потому этого какой совсем ним
i w z na nie że do to jest się o co jak ale po tak za od dla jego jej ich ten ta te są był była było
och att det som en ett är var har inte med för på av den de till om han hon vi ni jag men så
og at det som en et er var har ikke med for på af den de til om han hun vi jeg men så
ve bir bu da de ile için ama çok daha olarak olan gibi ki ne
""".split()

STOPWORDS: frozenset[str] = frozenset(_WORDS)

# Chinese, Japanese and Korean function characters / particles.
CJK_FUNCTION_CHARS: frozenset[str] = frozenset(
    "的了是在和有不这我他们你也就都而及与或被把对从为以之其所于"
    "はがをにでともへのやからまでよりなど"
    "은는이가을를에의도로와과"
)

# Words of site chrome: consent banners, account and subscription prompts,
# share bars, comment and feedback widgets, shop and recommendation boxes,
# legal lines. Written for thresher from general knowledge of how sites word
# these, in the languages above. The line model sees the share of such words
# in a line of a text dump (which has no markup to say "nav" or "cookie"); it
# learns how much that share means, so a story about privacy law is not
# dropped for its vocabulary alone.
CHROME_WORDS: frozenset[str] = frozenset(
    """
cookie cookies consent gdpr privacy tracking preferences settings accept reject manage
subscribe subscription subscriber newsletter unsubscribe login logout signin signup register registration
account password username sign log
share shares sharing tweet facebook twitter instagram linkedin whatsapp pinterest telegram reddit youtube tiktok
email print comment comments commenting reply replies replied posted views likes like feedback rating ratings
advertisement advertising sponsored ad ads promoted
related recommended trending popular newest latest more read click tap download app apps follow
menu search home contact sitemap copyright rights reserved terms policy disclaimer imprint
cart checkout shipping seller buyer items item price sold shop donate donation donations
spende spenden donner donar donación donazione doação doneren пожертвование пожертвовать
datenschutz einwilligung akzeptieren ablehnen anmelden abmelden registrieren abonnieren abonnement teilen
kommentare kommentar antworten werbung anzeige impressum startseite suche mehr weiterlesen
confidentialité connexion inscription abonner abonnement partager commentaires commentaire répondre publicité
accueil recherche lire suivez mentions légales
privacidad iniciar sesión registrarse suscribirse suscripción compartir comentarios comentario responder publicidad
inicio buscar leer síguenos
privacy accedi registrati iscriviti abbonati condividi commenti commento rispondi pubblicità cerca leggi
privacidade entrar cadastre assine compartilhar comentários comentário responder publicidade buscar leia
inloggen registreren abonneren delen reacties reageren advertentie zoeken lees
конфиденциальности войти регистрация подписаться подписка поделиться комментарии комментарий ответить реклама
поиск читать главная
""".split()
)

# First- and second-person pronouns and possessives. Reader comments speak as
# "I" to "you" ("I think you are wrong"); news copy reports in the third
# person and quotes others. The share of these words in a block tells the
# models a comment from the article beside it, in the languages above. (A
# few forms are words of more than one language: "me", "mi", "te", "tu".)
PERSON_WORDS: frozenset[str] = frozenset(
    """
i me my mine myself you your yours yourself we us our ours im ive id ill youre youve
ich mich mir mein meine meinen meinem meiner du dich dir dein deine wir uns unser unsere euch euer
je moi mon ma mes tu toi ton ta tes nous notre nos vous votre vos
yo mi mis tú ti tus nosotros nosotras vosotros vuestro usted ustedes
io mio mia miei mie tuo tua tuoi noi voi vostro
ik mij mijn jij jou jouw wij ons onze jullie
eu meu minha meus minhas você vocês nós
я меня мне мой моя моё мои ты тебя тебе твой твоя мы нас нам наш вы вас вам ваш
""".split()
)
