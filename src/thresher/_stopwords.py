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

# Places that stand where a byline's name should (a dateline or an address
# split off a byline: "Jane Doe, Munich, Germany"; an author field holding
# "Frankfurt"): the countries, the US states and the cities that news most
# often datelines, in English and, for the larger ones, in their own or a
# neighbouring language. Written for thresher from general knowledge. A
# person is rarely named like a country or a capital, so an author value that
# is one of these, all of it, is taken for a place; places that are also
# common first names (Georgia, Virginia, Jordan, Chad, Israel, Florence,
# Sofia, Austin, Phoenix, Perth, Nice) are left out.
PLACE_NAMES: frozenset[str] = frozenset(
    line.strip().casefold()
    for line in """
afghanistan|albania|algeria|andorra|angola|argentina|armenia|australia|austria|azerbaijan|bahamas|bahrain
bangladesh|barbados|belarus|belgium|belize|benin|bhutan|bolivia|bosnia|bosnia and herzegovina|botswana|brazil
brunei|bulgaria|burkina faso|burundi|cambodia|cameroon|canada|cape verde|chile|china|colombia|comoros|congo
costa rica|croatia|cuba|cyprus|czech republic|czechia|denmark|djibouti|dominica|dominican republic|ecuador|egypt
el salvador|eritrea|estonia|eswatini|ethiopia|fiji|finland|france|gabon|gambia|germany|ghana|greece
grenada|guatemala|guinea|guyana|haiti|honduras|hong kong|hungary|iceland|india|indonesia|iran|iraq|ireland
italy|ivory coast|jamaica|japan|kazakhstan|kenya|kiribati|kosovo|kuwait|kyrgyzstan|laos|latvia|lebanon
lesotho|liberia|libya|liechtenstein|lithuania|luxembourg|macau|madagascar|malawi|malaysia|maldives|mali|malta
mauritania|mauritius|mexico|micronesia|moldova|monaco|mongolia|montenegro|morocco|mozambique|myanmar|namibia|nauru
nepal|netherlands|new zealand|nicaragua|niger|nigeria|north korea|north macedonia|norway|oman|pakistan|palau
palestine|panama|papua new guinea|paraguay|peru|philippines|poland|portugal|qatar|romania|russia|rwanda|samoa
san marino|saudi arabia|scotland|senegal|serbia|seychelles|sierra leone|singapore|slovakia|slovenia|somalia
south africa|south korea|south sudan|spain|sri lanka|sudan|suriname|sweden|switzerland|syria|taiwan|tajikistan
tanzania|thailand|togo|tonga|trinidad and tobago|tunisia|turkey|türkiye|turkmenistan|tuvalu|uganda|ukraine
united arab emirates|uae|united kingdom|uk|great britain|england|wales|northern ireland|united states|usa|u.s.
u.s.a.|america|uruguay|uzbekistan|vanuatu|vatican|venezuela|vietnam|yemen|zambia|zimbabwe|europe|africa|asia
deutschland|österreich|schweiz|frankreich|italien|spanien|niederlande|belgien|polen|russland|vereinigte staaten
großbritannien|türkei|griechenland|china|japan|suisse|allemagne|autriche|espagne|italie|belgique|royaume-uni
états-unis|alemania|francia|españa|italia|estados unidos|brasil|méxico|россия|украина|германия|сша|中国|日本
alabama|alaska|arizona|arkansas|california|colorado|connecticut|delaware|florida|hawaii|idaho|illinois|indiana
iowa|kansas|kentucky|louisiana|maine|maryland|massachusetts|michigan|minnesota|mississippi|missouri|montana
nebraska|nevada|new hampshire|new jersey|new mexico|new york|north carolina|north dakota|ohio|oklahoma|oregon
pennsylvania|rhode island|south carolina|south dakota|tennessee|texas|utah|vermont|west virginia
wisconsin|wyoming|washington|washington d.c.|washington, d.c.|district of columbia
london|paris|berlin|munich|münchen|frankfurt|frankfurt am main|hamburg|cologne|köln|stuttgart|düsseldorf
dresden|leipzig|hanover|hannover|nuremberg|nürnberg|bremen|bonn|münster|vienna|wien|zurich|zürich|geneva|genève
genf|bern|basel|lausanne|brussels|bruxelles|brüssel|amsterdam|the hague|rotterdam|luxembourg|madrid|barcelona
lisbon|lisboa|rome|roma|rom|milan|milano|mailand|naples|turin|venice|athens|istanbul|ankara|moscow|moskau
москва|saint petersburg|st. petersburg|kyiv|kiev|киев|київ|warsaw|warszawa|warschau|prague|praha|prag|budapest
bucharest|belgrade|zagreb|ljubljana|bratislava|copenhagen|stockholm|oslo|helsinki|dublin|edinburgh
manchester|birmingham|glasgow|liverpool|new york city|nyc|los angeles|san francisco|chicago|boston|houston
dallas|miami|atlanta|seattle|denver|detroit|philadelphia|las vegas|san diego|toronto|montreal
montréal|vancouver|ottawa|mexico city|ciudad de méxico|são paulo|sao paulo|rio de janeiro|buenos aires|santiago
lima|bogotá|bogota|caracas|havana|tokyo|osaka|beijing|peking|shanghai|hong kong|seoul|taipei|singapore|bangkok
jakarta|manila|hanoi|kuala lumpur|new delhi|delhi|mumbai|bombay|kolkata|chennai|bangalore|bengaluru|karachi
islamabad|lahore|dhaka|kabul|tehran|baghdad|damascus|beirut|jerusalem|tel aviv|gaza|amman|riyadh|dubai|abu dhabi
doha|cairo|kairo|tunis|algiers|rabat|casablanca|lagos|abuja|nairobi|addis ababa|johannesburg|cape town|sydney
melbourne|brisbane|auckland|wellington|strasbourg|lyon|marseille|toulouse|bordeaux|lille
""".replace("\n", "|").split("|")
    if line.strip()
)
