/* thresher._core: the segmentation walk of html/segment.py in C, over Lexbor's tree,
 * and loops of the per-page path after it: the forests' leaf sums of _forest.py
 * (``forest_sums``), the word hashes of textstats.py (``word_hashes``) and the
 * attribute scan of html/parse.py (``markup_end``), at the end.
 *
 * segment.py's ``_Walk`` is the reference; this file is the same walk, step
 * for step, with the same output (tests/test_core.py compares the two). It
 * reads the tree through Lexbor's C API, which selectolax's extension module
 * exports as dynamic symbols: ``init`` resolves the few functions it needs
 * from that already-loaded module (dlopen RTLD_NOLOAD + dlsym), with the
 * prototypes declared below (written here, not copied from Lexbor's headers).
 * A node is reached from a selectolax node through its public ``mem_id`` (the
 * lxb_dom_node_t address). Text data is read at a fixed offset in Lexbor's
 * character-data struct: ``init`` checks that offset on a probe text node, and
 * segment.py checks the whole walk on a probe page, before the compiled path
 * is used; any mismatch falls back to the Python walk.
 *
 * Everything that defines the walk (tag tables, class groups, the kinds) stays
 * in segment.py: a tag seen for the first time is described by its
 * ``_tag_info`` (cached here by Lexbor tag id and name), class/id values go
 * through its ``class_mask`` and ``_is_hidden_style``, kinds are its Kind
 * members, and the text of a block is normalised with the same str methods.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <dlfcn.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

/* ---- the Lexbor functions used, resolved at run time ---------------------------------- */
typedef void lxb_node;
typedef void lxb_attr;
typedef uintptr_t (*tag_id_f)(lxb_node *);
typedef unsigned int (*type_f)(lxb_node *);
typedef lxb_node *(*nav_f)(lxb_node *);
typedef const unsigned char *(*qname_f)(void *, size_t *);
typedef lxb_attr *(*first_attr_f)(void *);
typedef lxb_attr *(*next_attr_f)(lxb_attr *);
typedef const unsigned char *(*attr_value_f)(lxb_attr *, size_t *);
typedef unsigned char *(*str_data_f)(void *);
typedef size_t (*str_length_f)(void *);

static tag_id_f node_tag_id;
static type_f node_type;
static nav_f node_first_child, node_next;
static qname_f element_qname, attr_qname;
static first_attr_f element_first_attr;
static next_attr_f element_next_attr;
static attr_value_f attr_value;
static str_data_f str_data;
static str_length_f str_length;

#define NODE_ELEMENT 1 /* DOM node types */
#define NODE_TEXT 3
static uintptr_t text_tag_id; /* Lexbor's tag id of text nodes, read off the probe node */
static size_t text_offset;    /* where a text node's lexbor_str_t sits, checked on the probe */
static int ready;

/* ---- what segment.py gives ``init`` --------------------------------------------------- */
static PyObject *tag_info_fn, *class_mask_fn, *hidden_style_fn;
static PyObject *kind_code, *kind_heading, *kind_caption, *kind_quote, *kind_list_item, *kind_paragraph;
static uint64_t pre_bit, fig_bit, quote_bit, list_bit, hidden_bit;
static PyObject *s_empty, *s_space, *s_crlf, *s_rstrip, *s_strip;

/* ---- tag descriptions, cached by tag id (verified by name) ---------------------------- */
typedef struct {
    PyObject *tag; /* the tag name, as selectolax's ``tag`` gives it */
    uint64_t bits;
    int level;
    unsigned skip : 1, skip_ns : 1, block : 1, brk : 1, is_a : 1, is_pre : 1, is_tr : 1, is_cell : 1,
        is_caption : 1, list_owner : 1;
} TagInfo;

typedef struct {
    uintptr_t tid;
    char *name;
    size_t len;
    TagInfo info;
} CacheSlot;

/* Direct-mapped: a new tag replaces the one in its slot, so memory stays bounded
 * whatever custom element names pages invent. 1,024 slots hold Lexbor's ~200
 * standard tags and a page's custom ones with few collisions. */
#define CACHE_SLOTS 1024
static CacheSlot cache[CACHE_SLOTS];

static int flag(PyObject *tuple, Py_ssize_t i) { return PyObject_IsTrue(PyTuple_GET_ITEM(tuple, i)); }

/* The description of the element ``node`` (NULL with an exception set on failure). */
static const TagInfo *tag_info(lxb_node *node, uintptr_t tid, const unsigned char *name, size_t len) {
    CacheSlot *slot = &cache[(tid ^ (tid >> 7) ^ (tid >> 17)) & (CACHE_SLOTS - 1)];
    if (slot->name && slot->tid == tid && slot->len == len && memcmp(slot->name, name, len) == 0)
        return &slot->info;
    PyObject *tag = PyUnicode_DecodeUTF8((const char *)name, (Py_ssize_t)len, "replace");
    if (!tag) return NULL;
    PyObject *t = PyObject_CallOneArg(tag_info_fn, tag);
    if (!t) { Py_DECREF(tag); return NULL; }
    if (!PyTuple_Check(t) || PyTuple_GET_SIZE(t) != 12) {
        Py_DECREF(t); Py_DECREF(tag);
        PyErr_SetString(PyExc_TypeError, "_tag_info must return a 12-tuple");
        return NULL;
    }
    char *copy = PyMem_Malloc(len ? len : 1);
    if (!copy) { Py_DECREF(t); Py_DECREF(tag); PyErr_NoMemory(); return NULL; }
    memcpy(copy, name, len);
    TagInfo info;
    info.tag = tag;
    info.skip = flag(t, 0); info.skip_ns = flag(t, 1); info.block = flag(t, 2); info.brk = flag(t, 3);
    info.bits = PyLong_AsUnsignedLongLong(PyTuple_GET_ITEM(t, 4));
    info.level = (int)PyLong_AsLong(PyTuple_GET_ITEM(t, 5));
    info.is_a = flag(t, 6); info.is_pre = flag(t, 7); info.is_tr = flag(t, 8); info.is_cell = flag(t, 9);
    info.is_caption = flag(t, 10); info.list_owner = flag(t, 11);
    Py_DECREF(t);
    if (PyErr_Occurred()) { PyMem_Free(copy); Py_DECREF(tag); return NULL; }
    if (slot->name) { PyMem_Free(slot->name); Py_DECREF(slot->info.tag); }
    slot->tid = tid; slot->name = copy; slot->len = len; slot->info = info;
    return &slot->info;
}

/* ---- the walk ------------------------------------------------------------------------- */
typedef struct {
    lxb_node *node;
    PyObject *tag; /* owned */
    long fid, row; /* row: the <tr>'s id when this is a cell of one, else -1 */
    uint64_t cls, anc_cls, bits, anc_tag;
    int level;
    unsigned block : 1, link : 1, pre : 1, is_caption : 1, list_owner : 1, is_tr : 1;
} Frame;

typedef struct {
    Frame *stack;
    Py_ssize_t n_stack, cap_stack;
    Py_ssize_t *owners; /* stack indices of the open block-level elements */
    Py_ssize_t n_owners;
    long *path;
    Py_ssize_t n_path, cap_path;
    PyObject *buf, *rows, *opened;
    Py_ssize_t room, max_blocks;
    int truncated;
} Walk;

static int grow(void **arr, Py_ssize_t *cap, Py_ssize_t need, size_t item) {
    if (need <= *cap) return 0;
    Py_ssize_t n = *cap ? *cap * 2 : 64;
    while (n < need) n *= 2;
    void *p = PyMem_Realloc(*arr, (size_t)n * item);
    if (!p) { PyErr_NoMemory(); return -1; }
    *arr = p;
    *cap = n;
    return 0;
}

static int push_frame(Walk *w, const Frame *f) {
    Py_ssize_t cap = w->cap_stack;
    if (grow((void **)&w->stack, &w->cap_stack, w->n_stack + 1, sizeof(Frame))) return -1;
    if (w->cap_stack != cap) {
        Py_ssize_t *p = PyMem_Realloc(w->owners, (size_t)w->cap_stack * sizeof(Py_ssize_t));
        if (!p) { PyErr_NoMemory(); return -1; }
        w->owners = p;
    }
    w->stack[w->n_stack++] = *f;
    Py_INCREF(f->tag);
    if (f->block) w->owners[w->n_owners++] = w->n_stack - 1;
    return 0;
}

static void pop_frames(Walk *w, Py_ssize_t keep) {
    while (w->n_stack > keep) Py_DECREF(w->stack[--w->n_stack].tag);
    while (w->n_owners && w->owners[w->n_owners - 1] >= keep) w->n_owners--;
}

static PyObject *kind_of(const Frame *owner, uint64_t near_tag, uint64_t anc_tag, int pre) {
    if ((anc_tag & pre_bit) && pre) return kind_code;
    if (owner->level) return kind_heading;
    if ((anc_tag & fig_bit) || owner->is_caption) return kind_caption;
    if (anc_tag & quote_bit) return kind_quote;
    if ((near_tag & list_bit) && owner->list_owner) return kind_list_item;
    return kind_paragraph;
}

static int is_blank(PyObject *s) { /* str.isspace() of a non-empty str, or empty */
    Py_ssize_t n = PyUnicode_GET_LENGTH(s);
    int kind = PyUnicode_KIND(s);
    const void *d = PyUnicode_DATA(s);
    for (Py_ssize_t i = 0; i < n; i++)
        if (!Py_UNICODE_ISSPACE(PyUnicode_READ(kind, d, i))) return 0;
    return 1;
}

static Py_ssize_t stripped_len(PyObject *s) { /* len(s.strip()) */
    Py_ssize_t n = PyUnicode_GET_LENGTH(s), i = 0, j = n;
    int kind = PyUnicode_KIND(s);
    const void *d = PyUnicode_DATA(s);
    while (i < j && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, d, i))) i++;
    while (j > i && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, d, j - 1))) j--;
    return j - i;
}

/* The normalised text of the open block (a new reference), or Py_None when it
 * is empty; ``_Walk.flush`` up to its limit check. */
static PyObject *block_text(PyObject *raw, int pre) {
    if (pre) {
        PyObject *a = PyObject_CallMethodOneArg(raw, s_strip, s_crlf);
        if (!a) return NULL;
        PyObject *text = PyObject_CallMethodNoArgs(a, s_rstrip);
        Py_DECREF(a);
        if (!text) return NULL;
        if (is_blank(text)) { Py_DECREF(text); Py_RETURN_NONE; }
        return text;
    }
    PyObject *parts = PyUnicode_Split(raw, NULL, -1);
    if (!parts) return NULL;
    PyObject *text = PyUnicode_Join(s_space, parts);
    Py_DECREF(parts);
    if (text && PyUnicode_GET_LENGTH(text) == 0) { Py_DECREF(text); Py_RETURN_NONE; }
    return text;
}

/* ``_Walk.flush``: 1 when the block reaches a limit, 0 if not, -1 on error. */
static int flush(Walk *w, Py_ssize_t link_chars, long n_links) {
    PyObject *raw = PyUnicode_Join(s_empty, w->buf);
    if (!raw || PyList_SetSlice(w->buf, 0, PY_SSIZE_T_MAX, NULL)) { Py_XDECREF(raw); return -1; }
    const Frame *top = &w->stack[w->n_stack - 1];
    int pre = top->pre;
    PyObject *text = block_text(raw, pre);
    Py_DECREF(raw);
    if (!text) return -1;
    if (text == Py_None) { Py_DECREF(text); return 0; }
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    if (n > w->room) { /* the page's last block: cut, and the walk stops */
        PyObject *cut = PyUnicode_Substring(text, 0, w->room);
        Py_DECREF(text);
        if (!cut) return -1;
        text = PyObject_CallMethodNoArgs(cut, s_rstrip);
        Py_DECREF(cut);
        if (!text) return -1;
        w->room = 0;
        w->truncated = 1;
        if (is_blank(text)) { Py_DECREF(text); return 1; }
        n = PyUnicode_GET_LENGTH(text);
    } else {
        w->room -= n;
    }
    uint64_t near_cls = 0, near_tag = 0;
    for (Py_ssize_t i = w->n_stack > 3 ? w->n_stack - 3 : 0; i < w->n_stack; i++) {
        near_cls |= w->stack[i].cls;
        near_tag |= w->stack[i].bits;
    }
    const Frame *owner = &w->stack[w->owners[w->n_owners - 1]];
    PyObject *path = PyTuple_New(w->n_path);
    if (!path) { Py_DECREF(text); return -1; }
    for (Py_ssize_t i = 0; i < w->n_path; i++) {
        PyObject *v = PyLong_FromLong(w->path[i]);
        if (!v) { Py_DECREF(path); Py_DECREF(text); return -1; }
        PyTuple_SET_ITEM(path, i, v);
    }
    PyObject *row = Py_BuildValue(
        "(NOinlOKKKKKnNl)", text, kind_of(owner, near_tag, top->anc_tag, pre), owner->level,
        link_chars < n ? link_chars : n, n_links, owner->tag, (unsigned long long)owner->cls,
        (unsigned long long)near_cls, (unsigned long long)top->anc_cls, (unsigned long long)near_tag,
        (unsigned long long)top->anc_tag, w->n_stack, path, owner->row);
    if (!row) return -1;
    int err = PyList_Append(w->rows, row);
    Py_DECREF(row);
    if (err) return -1;
    return w->room <= 0 || PyList_GET_SIZE(w->rows) >= w->max_blocks;
}

/* The groups of attribute values, cached by their bytes: a page repeats its
 * class values (~590 a page on the bench pages, ~200 distinct), and sites share
 * them, so most values skip decoding and the call into segment.py. Direct-
 * mapped, so bounded: 4,096 slots of at most 64 bytes (~360 kB), which hold
 * 94% of the bench pages' class/id/role/itemprop/style values (longer ones
 * are computed each time). Exact: ``class_mask`` and ``_is_hidden_style`` are
 * pure, and a slot is a hit only on equal bytes of the same attribute kind.
 * ``init`` empties it, as the functions may change. */
#define MASK_CACHE_SLOTS 4096
#define MASK_CACHE_BYTES 64
typedef struct {
    uint64_t mask;
    uint8_t used, style, len;
    unsigned char bytes[MASK_CACHE_BYTES];
} MaskSlot;
static MaskSlot mask_cache[MASK_CACHE_SLOTS];

/* The groups of one non-empty value (``style``: of a style attribute, the
 * hidden bit or 0; else ``class_mask``'s): 0, or -1 on error. */
static int value_mask(int style, const unsigned char *val, size_t len, uint64_t *out) {
    MaskSlot *slot = NULL;
    if (len <= MASK_CACHE_BYTES) { /* FNV-1a over the bytes and the kind */
        uint64_t h = 1469598103934665603ull ^ (uint64_t)style;
        for (size_t i = 0; i < len; i++) h = (h ^ val[i]) * 1099511628211ull;
        slot = &mask_cache[(h ^ (h >> 32)) & (MASK_CACHE_SLOTS - 1)];
        if (slot->used && slot->len == len && slot->style == style && memcmp(slot->bytes, val, len) == 0) {
            *out = slot->mask;
            return 0;
        }
    }
    PyObject *v = PyUnicode_DecodeUTF8((const char *)val, (Py_ssize_t)len, "replace");
    if (!v) return -1;
    PyObject *m = PyObject_CallOneArg(style ? hidden_style_fn : class_mask_fn, v);
    Py_DECREF(v);
    if (!m) return -1;
    uint64_t mask;
    if (style) {
        int yes = PyObject_IsTrue(m);
        mask = yes > 0 ? hidden_bit : 0;
    } else {
        mask = PyLong_AsUnsignedLongLong(m);
    }
    Py_DECREF(m);
    if (PyErr_Occurred()) return -1;
    if (slot) {
        slot->used = 1; slot->style = (uint8_t)style; slot->len = (uint8_t)len; slot->mask = mask;
        memcpy(slot->bytes, val, len);
    }
    *out = mask;
    return 0;
}

/* The class groups of an element and, with ``want_class`` (a block-level
 * element, whose class ``opened`` records), its ``class`` value (a new
 * reference, or Py_None), as ``_Walk.run`` reads them off ``node.attributes``:
 * per name, the last value, like the dict; -1 on error. */
static int read_attrs(lxb_node *node, int want_class, uint64_t *cls_out, PyObject **klass_out) {
    const unsigned char *vals[5] = {0};
    size_t lens[5] = {0};
    int hidden = 0;
    static const char *names[5] = {"class", "id", "role", "itemprop", "style"};
    static const size_t name_lens[5] = {5, 2, 4, 8, 5};
    for (lxb_attr *a = element_first_attr(node); a; a = element_next_attr(a)) {
        size_t len = 0;
        const unsigned char *name = attr_qname(a, &len);
        if (!name) continue;
        if (len == 6 && memcmp(name, "hidden", 6) == 0) { hidden = 1; continue; }
        for (int k = 0; k < 5; k++) {
            if (len == name_lens[k] && memcmp(name, names[k], len) == 0) {
                size_t vlen = 0;
                vals[k] = attr_value(a, &vlen); /* NULL: no value, None */
                lens[k] = vlen;
                break;
            }
        }
    }
    uint64_t cls = hidden ? hidden_bit : 0;
    PyObject *klass = NULL;
    if (want_class && vals[0]) {
        klass = PyUnicode_DecodeUTF8((const char *)vals[0], (Py_ssize_t)lens[0], "replace");
        if (!klass) return -1;
    }
    for (int k = 0; k < 5; k++) {
        uint64_t m;
        if (!vals[k] || !lens[k]) continue; /* no value, or an empty one: no groups */
        if (value_mask(k == 4, vals[k], lens[k], &m)) { Py_XDECREF(klass); return -1; }
        cls |= m;
    }
    *cls_out = cls;
    *klass_out = klass ? klass : Py_NewRef(Py_None);
    return 0;
}

/* Open element ``node`` (described by ``ti``): ``_Walk.run`` after its skip and
 * boundary checks. Returns its new id, or -1 on error. */
static long open_element(Walk *w, lxb_node *node, const TagInfo *ti, long fid, long *n_links) {
    uint64_t cls = 0;
    PyObject *klass = NULL;
    if (read_attrs(node, ti->block, &cls, &klass)) return -1;
    const Frame *top = &w->stack[w->n_stack - 1];
    Frame f = {node, ti->tag, fid, -1, cls, cls | top->anc_cls, ti->bits, ti->bits | top->anc_tag, ti->level,
               ti->block, top->link || ti->is_a, top->pre || ti->is_pre, ti->is_caption, ti->list_owner, ti->is_tr};
    if (ti->block) {
        PyObject *o = Py_BuildValue("(lONl)", fid, ti->tag, klass, w->path[w->n_path - 1]);
        klass = NULL;
        if (!o || PyList_Append(w->opened, o)) { Py_XDECREF(o); return -1; }
        Py_DECREF(o);
        if (grow((void **)&w->path, &w->cap_path, w->n_path + 1, sizeof(long))) return -1;
        w->path[w->n_path++] = fid;
        if (top->is_tr && ti->is_cell) f.row = top->fid;
    }
    Py_XDECREF(klass);
    if (ti->is_a) (*n_links)++;
    return push_frame(w, &f) ? -1 : fid;
}

/* ``_Walk.run`` and ``_Walk.stop``: 0, or -1 on error. */
static int run(Walk *w, lxb_node *root, int noscript, Py_ssize_t max_nodes, long *n_ids) {
    int has_text = 0;
    Py_ssize_t link_chars = 0, seen = 0;
    long n_links = 0, fid = 0;
    if (w->max_blocks <= 0 || w->room <= 0) max_nodes = 0;
    lxb_node *node = node_first_child(root);
    for (;;) {
        int is_block, is_break = 0;
        const TagInfo *ti = NULL;
        if (!node) {
            is_block = w->stack[w->n_stack - 1].block;
        } else {
            if (++seen > max_nodes) { /* stop: close all but the root, keep the pending text */
                w->truncated = 1;
                pop_frames(w, 1);
                if (PyList_GET_SIZE(w->buf) && flush(w, link_chars, n_links) < 0) return -1;
                break;
            }
            uintptr_t tid = node_tag_id(node);
            unsigned type = node_type(node);
            if (tid == text_tag_id) {
                unsigned char *data;
                size_t len;
                if (type == NODE_TEXT && (data = str_data((char *)node + text_offset)) != NULL &&
                    (len = str_length((char *)node + text_offset)) > 0) {
                    PyObject *t = PyUnicode_DecodeUTF8((const char *)data, (Py_ssize_t)len, "replace");
                    if (!t || PyList_Append(w->buf, t)) { Py_XDECREF(t); return -1; }
                    has_text = has_text || !is_blank(t);
                    if (w->stack[w->n_stack - 1].link) link_chars += stripped_len(t);
                    Py_DECREF(t);
                }
                node = node_next(node);
                continue;
            }
            size_t len = 0;
            const unsigned char *name = type == NODE_ELEMENT ? element_qname(node, &len) : NULL;
            if (name && len) {
                ti = tag_info(node, tid, name, len);
                if (!ti) return -1;
            }
            if (!ti || (noscript ? ti->skip_ns : ti->skip)) { /* no name, a skipped subtree */
                node = node_next(node);
                continue;
            }
            is_block = ti->block;
            is_break = ti->brk;
        }
        if (PyList_GET_SIZE(w->buf) && (is_block || is_break)) { /* a block boundary */
            if (!has_text) {
                if (PyList_SetSlice(w->buf, 0, PY_SSIZE_T_MAX, NULL)) return -1;
            } else {
                int r = flush(w, link_chars, n_links);
                if (r < 0) return -1;
                if (r) max_nodes = seen;
            }
            has_text = 0;
            link_chars = n_links = 0;
        }
        if (!node) {
            if (is_block) w->n_path--;
            Frame *f = &w->stack[w->n_stack - 1];
            lxb_node *done = f->node;
            pop_frames(w, w->n_stack - 1);
            if (!w->n_stack) break;
            node = node_next(done);
            continue;
        }
        if (is_break) {
            node = node_next(node);
            continue;
        }
        if ((fid = open_element(w, node, ti, fid + 1, &n_links)) < 0) return -1;
        node = node_first_child(node);
    }
    *n_ids = fid;
    return 0;
}

/* walk(root_id, noscript, max_nodes, max_blocks, max_chars) -> (rows, opened, n_ids, truncated):
 * ``_Walk``'s results for the Lexbor node at address ``root_id`` (a selectolax
 * node's ``mem_id``; the caller keeps its tree alive). */
static PyObject *walk(PyObject *self, PyObject *args) {
    unsigned long long root_id;
    int noscript;
    Py_ssize_t max_nodes, max_blocks, max_chars;
    if (!PyArg_ParseTuple(args, "Kpnnn", &root_id, &noscript, &max_nodes, &max_blocks, &max_chars)) return NULL;
    if (!ready) {
        PyErr_SetString(PyExc_RuntimeError, "thresher._core.init has not succeeded");
        return NULL;
    }
    if (!root_id) {
        PyErr_SetString(PyExc_ValueError, "no node");
        return NULL;
    }
    Walk w = {0};
    w.room = max_chars;
    w.max_blocks = max_blocks;
    w.buf = PyList_New(0);
    w.rows = PyList_New(0);
    w.opened = PyList_New(0);
    PyObject *body = PyUnicode_FromString("body");
    PyObject *result = NULL;
    long n_ids = 0;
    if (!w.buf || !w.rows || !w.opened || !body || grow((void **)&w.path, &w.cap_path, 1, sizeof(long))) goto done;
    w.path[w.n_path++] = 0;
    Frame root = {(lxb_node *)(uintptr_t)root_id, body, 0, -1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0};
    if (push_frame(&w, &root)) goto done;
    if (run(&w, root.node, noscript, max_nodes, &n_ids) == 0)
        result = Py_BuildValue("(OOlO)", w.rows, w.opened, n_ids, w.truncated ? Py_True : Py_False);
done:
    pop_frames(&w, 0);
    PyMem_Free(w.stack);
    PyMem_Free(w.owners);
    PyMem_Free(w.path);
    Py_XDECREF(w.buf);
    Py_XDECREF(w.rows);
    Py_XDECREF(w.opened);
    Py_XDECREF(body);
    return result;
}

/* ---- container repeats ---------------------------------------------------------------- */

/* ``_class_signature``: the class value without its decimal digits (``\d``,
 * which for str patterns is str.isdecimal's set); a new reference. */
static PyObject *class_signature(PyObject *klass) {
    Py_ssize_t n = PyUnicode_GET_LENGTH(klass), kept = 0;
    int kind = PyUnicode_KIND(klass);
    const void *d = PyUnicode_DATA(klass);
    if (kind == PyUnicode_1BYTE_KIND) { /* Latin-1 (most values): its only decimals are 0-9 */
        const Py_UCS1 *b = d;
        Py_UCS1 *out = PyMem_Malloc((size_t)(n ? n : 1));
        if (!out) return PyErr_NoMemory();
        for (Py_ssize_t i = 0; i < n; i++)
            if (b[i] < '0' || b[i] > '9') out[kept++] = b[i];
        PyObject *sig = kept == n ? Py_NewRef(klass) : PyUnicode_FromKindAndData(PyUnicode_1BYTE_KIND, out, kept);
        PyMem_Free(out);
        return sig;
    }
    for (Py_ssize_t i = 0; i < n; i++) kept += !Py_UNICODE_ISDECIMAL(PyUnicode_READ(kind, d, i));
    if (kept == n) return Py_NewRef(klass);
    Py_UCS4 *out = PyMem_Malloc((size_t)(kept ? kept : 1) * sizeof(Py_UCS4));
    if (!out) return PyErr_NoMemory();
    for (Py_ssize_t i = 0, j = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, d, i);
        if (!Py_UNICODE_ISDECIMAL(c)) out[j++] = c;
    }
    PyObject *sig = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, out, kept);
    PyMem_Free(out);
    return sig;
}

/* Sibling signatures, counted: an open-addressed table of (page signature
 * index, parent) keys packed in one integer, sized at twice the elements. */
typedef struct {
    uint64_t *keys; /* key + 1; 0 marks an empty slot */
    Py_ssize_t *counts;
    size_t mask;
} Counter;

static Py_ssize_t *counter_slot(Counter *c, uint64_t key) {
    size_t h = (size_t)((key + 1) * 0x9E3779B97F4A7C15ull) & c->mask;
    while (c->keys[h] && c->keys[h] != key + 1) h = (h + 1) & c->mask;
    if (!c->keys[h]) c->keys[h] = key + 1;
    return &c->counts[h];
}

/* The page signature index of (tag, signature of ``klass``): ``pages`` maps
 * (tag, signature) to its index, ``sigs`` each class value to its signature.
 * -1 on error. */
static Py_ssize_t page_index(PyObject *pages, PyObject *sigs, PyObject *tag, PyObject *klass) {
    if (klass == Py_None) klass = s_empty;
    if (!PyUnicode_Check(tag) || !PyUnicode_Check(klass)) {
        PyErr_SetString(PyExc_TypeError, "container_repeats: tag and class must be str");
        return -1;
    }
    PyObject *sig = PyDict_GetItemWithError(sigs, klass); /* borrowed */
    if (!sig) {
        if (PyErr_Occurred() || !(sig = class_signature(klass))) return -1;
        int err = PyDict_SetItem(sigs, klass, sig);
        Py_DECREF(sig); /* the dict holds it */
        if (err) return -1;
    }
    PyObject *key = PyTuple_Pack(2, tag, sig);
    if (!key) return -1;
    PyObject *idx = PyDict_GetItemWithError(pages, key);
    Py_ssize_t i;
    if (idx) {
        i = PyLong_AsSsize_t(idx);
    } else if (PyErr_Occurred()) {
        i = -1;
    } else {
        i = PyDict_GET_SIZE(pages);
        idx = PyLong_FromSsize_t(i);
        if (!idx || PyDict_SetItem(pages, key, idx)) i = -1;
        Py_XDECREF(idx);
    }
    Py_DECREF(key);
    return i;
}

/* Fill ``sib``/``page`` (per id, 0: none) from ``opened``; 0, or -1 on error. */
static int count_repeats(PyObject *opened, Py_ssize_t n_ids, Py_ssize_t *sib, Py_ssize_t *page, Py_ssize_t *page_n,
                         Counter *siblings, PyObject *pages, PyObject *sigs) {
    Py_ssize_t n = PyList_GET_SIZE(opened);
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *o = PyList_GET_ITEM(opened, k);
        if (!PyTuple_Check(o) || PyTuple_GET_SIZE(o) != 4) {
            PyErr_SetString(PyExc_TypeError, "container_repeats: opened holds 4-tuples");
            return -1;
        }
        Py_ssize_t fid = PyLong_AsSsize_t(PyTuple_GET_ITEM(o, 0));
        Py_ssize_t parent = PyLong_AsSsize_t(PyTuple_GET_ITEM(o, 3));
        if (PyErr_Occurred()) return -1;
        if (fid < 1 || fid > n_ids || parent < -1 || parent > n_ids) {
            PyErr_SetString(PyExc_ValueError, "container_repeats: an id out of range");
            return -1;
        }
        Py_ssize_t p = page_index(pages, sigs, PyTuple_GET_ITEM(o, 1), PyTuple_GET_ITEM(o, 2));
        if (p < 0) return -1;
        page_n[p]++;
        page[fid] = p + 1;
        sib[fid] = p * (n_ids + 2) + parent + 1 + 1; /* the key, + 1: 0 stays "none" */
        ++*counter_slot(siblings, (uint64_t)(sib[fid] - 1));
    }
    return 0;
}

/* container_repeats(opened, n_ids) -> (sibling_repeats, page_repeats):
 * ``segment._container_repeats``, the same lists. */
static PyObject *container_repeats(PyObject *self, PyObject *args) {
    PyObject *opened;
    Py_ssize_t n_ids;
    if (!PyArg_ParseTuple(args, "O!n", &PyList_Type, &opened, &n_ids)) return NULL;
    if (n_ids < 0) n_ids = 0;
    Py_ssize_t n = PyList_GET_SIZE(opened);
    size_t slots = 16;
    while (slots < (size_t)n * 2) slots *= 2;
    Counter siblings = {PyMem_Calloc(slots, sizeof(uint64_t)), PyMem_Calloc(slots, sizeof(Py_ssize_t)), slots - 1};
    Py_ssize_t *sib = PyMem_Calloc((size_t)n_ids + 1, sizeof(Py_ssize_t));
    Py_ssize_t *page = PyMem_Calloc((size_t)n_ids + 1, sizeof(Py_ssize_t));
    Py_ssize_t *page_n = PyMem_Calloc((size_t)n + 1, sizeof(Py_ssize_t));
    PyObject *pages = PyDict_New(), *sigs = PyDict_New(), *sib_out = NULL, *page_out = NULL, *result = NULL;
    if (!siblings.keys || !siblings.counts || !sib || !page || !page_n) {
        PyErr_NoMemory();
        goto done;
    }
    if (!pages || !sigs || count_repeats(opened, n_ids, sib, page, page_n, &siblings, pages, sigs)) goto done;
    /* the root (id 0) is ("body", "", parent -1): its page count is that of any
     * body element without a class, its sibling count that of parent -1 */
    PyObject *body = PyUnicode_FromString("body");
    if (!body) goto done;
    PyObject *root_key = PyTuple_Pack(2, body, s_empty);
    Py_DECREF(body);
    if (!root_key) goto done;
    PyObject *root_idx = PyDict_GetItemWithError(pages, root_key);
    Py_DECREF(root_key);
    if (!root_idx && PyErr_Occurred()) goto done;
    if (root_idx) {
        Py_ssize_t p = PyLong_AsSsize_t(root_idx);
        page[0] = p + 1;
        sib[0] = p * (n_ids + 2) + 1;
    }
    sib_out = PyList_New(n_ids + 1);
    page_out = PyList_New(n_ids + 1);
    if (!sib_out || !page_out) goto done;
    for (Py_ssize_t i = 0; i <= n_ids; i++) {
        Py_ssize_t s = 1, pc = 1;
        if (sib[i]) {
            s = *counter_slot(&siblings, (uint64_t)(sib[i] - 1));
            if (!s) s = 1; /* the root's key, when no element has parent -1 */
        }
        if (page[i]) pc = page_n[page[i] - 1];
        PyObject *a = PyLong_FromSsize_t(s), *b = PyLong_FromSsize_t(pc);
        if (!a || !b) { Py_XDECREF(a); Py_XDECREF(b); goto done; }
        PyList_SET_ITEM(sib_out, i, a);
        PyList_SET_ITEM(page_out, i, b);
    }
    result = PyTuple_Pack(2, sib_out, page_out);
done:
    PyMem_Free(siblings.keys);
    PyMem_Free(siblings.counts);
    PyMem_Free(sib);
    PyMem_Free(page);
    PyMem_Free(page_n);
    Py_XDECREF(pages);
    Py_XDECREF(sigs);
    Py_XDECREF(sib_out);
    Py_XDECREF(page_out);
    return result;
}

/* ---- forest inference ----------------------------------------------------------------- */

/* Rows scored together: their feature values, transposed, sit in one
 * (features x rows) array, so a split's test runs over a contiguous column
 * and a tree's leaf values stay in cache for all of them. 64 rows of the
 * stage-2 model's 206 features are 53 kB, in L1/L2. The rows go by lanes of
 * FOREST_LANES, a loop of constant length the compiler vectorises (at -O2
 * too): 2.5x faster than a loop over the block's rows, and a one-row page
 * pays for 16 rows, not 64 (the padding rows are zeros, scored and dropped). */
#define FOREST_BLOCK_ROWS 64
#define FOREST_LANES 16

/* The leaf sums of ``lanes`` lanes of rows of ``xt`` for the trees ``[t0,
 * t1)`` into ``acc``, in tree order: ``_forest.ObliviousEnsemble.member_sums``
 * adds the same way, so both paths give the same bits. The sum starts from
 * +0.0, as NumPy's does (so leaves of -0.0 alone sum to +0.0). */
static void member_block(const float *xt, Py_ssize_t lanes, const int32_t *cols, const float *borders,
                         const double *leaves, int depth, Py_ssize_t t0, Py_ssize_t t1, double *acc) {
    unsigned char leaf[FOREST_BLOCK_ROWS];
    for (Py_ssize_t r = 0; r < lanes * FOREST_LANES; r++) acc[r] = 0.0;
    for (Py_ssize_t t = t0; t < t1; t++) {
        memset(leaf, 0, sizeof leaf);
        for (int k = 0; k < depth; k++) {
            const float *col = xt + (Py_ssize_t)cols[t * depth + k] * FOREST_BLOCK_ROWS;
            const float border = borders[t * depth + k];
            for (Py_ssize_t g = 0; g < lanes * FOREST_LANES; g += FOREST_LANES)
                for (int r = 0; r < FOREST_LANES; r++) leaf[g + r] |= (unsigned char)((col[g + r] > border) << k);
        }
        const double *values = leaves + (t << depth);
        for (Py_ssize_t g = 0; g < lanes * FOREST_LANES; g += FOREST_LANES)
            for (int r = 0; r < FOREST_LANES; r++) acc[g + r] += values[leaf[g + r]];
    }
}

/* Does the buffer hold ``n`` items of ``size`` bytes? (a ValueError when not) */
static int sized(const Py_buffer *buf, Py_ssize_t n, Py_ssize_t size, const char *what) {
    if (n >= 0 && buf->len == n * size) return 1;
    PyErr_Format(PyExc_ValueError, "forest_sums: %s holds %zd bytes, not %zd items of %zd", what, buf->len, n, size);
    return 0;
}

/* forest_sums(X, n_features, cols, borders, leaves, n_trees, depth, starts, out): for
 * every row of ``X`` (float32, rows x n_features) and every member (the trees
 * from ``starts[m]`` to the next start), the sum of the member's leaf values
 * into ``out`` (float64, members x rows). ``cols`` (int32) and ``borders``
 * (float32) are tree-major, n_trees x depth; ``leaves`` (float64) n_trees x
 * 2**depth; ``starts`` int64, from 0, never falling (a member without trees
 * sums to 0.0, as NumPy's empty sum does). Every size and index is checked:
 * no input reads outside its buffer. */
static PyObject *forest_sums(PyObject *self, PyObject *args) {
    Py_buffer x = {0}, c = {0}, b = {0}, l = {0}, s = {0}, o = {0};
    Py_ssize_t nf, trees;
    int depth;
    if (!PyArg_ParseTuple(args, "y*ny*y*y*niy*w*", &x, &nf, &c, &b, &l, &trees, &depth, &s, &o)) return NULL;
    PyObject *result = NULL;
    if (nf <= 0 || depth < 1 || depth > 8 || trees < 1 || x.len % (nf * (Py_ssize_t)sizeof(float))) {
        PyErr_SetString(PyExc_ValueError, "forest_sums: bad shape");
        goto done;
    }
    Py_ssize_t rows = x.len / (nf * (Py_ssize_t)sizeof(float)), members = s.len / (Py_ssize_t)sizeof(int64_t);
    if (!sized(&c, trees * depth, sizeof(int32_t), "cols") || !sized(&b, trees * depth, sizeof(float), "borders") ||
        !sized(&l, trees << depth, sizeof(double), "leaves") || !sized(&s, members, sizeof(int64_t), "starts") ||
        !sized(&o, members * rows, sizeof(double), "out"))
        goto done;
    const int32_t *cols = c.buf;
    const int64_t *starts = s.buf;
    for (Py_ssize_t i = 0; i < trees * depth; i++)
        if (cols[i] < 0 || cols[i] >= nf) {
            PyErr_SetString(PyExc_ValueError, "forest_sums: a split refers to a feature X lacks");
            goto done;
        }
    for (Py_ssize_t m = 0; m < members; m++)
        if ((m == 0 && starts[0] != 0) || (m && starts[m] < starts[m - 1]) || starts[m] > trees) {
            PyErr_SetString(PyExc_ValueError, "forest_sums: starts must run from 0 to at most n_trees, never down");
            goto done;
        }
    const float *X = x.buf, *borders = b.buf;
    const double *leaves = l.buf;
    double *out = o.buf;
    float *xt = PyMem_RawMalloc((size_t)nf * FOREST_BLOCK_ROWS * sizeof(float));
    if (!xt) {
        PyErr_NoMemory();
        goto done;
    }
    Py_BEGIN_ALLOW_THREADS
    double acc[FOREST_BLOCK_ROWS];
    for (Py_ssize_t r0 = 0; r0 < rows; r0 += FOREST_BLOCK_ROWS) {
        Py_ssize_t nr = rows - r0 < FOREST_BLOCK_ROWS ? rows - r0 : FOREST_BLOCK_ROWS;
        Py_ssize_t lanes = (nr + FOREST_LANES - 1) / FOREST_LANES;
        for (Py_ssize_t r = 0; r < lanes * FOREST_LANES; r++)
            for (Py_ssize_t f = 0; f < nf; f++) xt[f * FOREST_BLOCK_ROWS + r] = r < nr ? X[(r0 + r) * nf + f] : 0.0f;
        for (Py_ssize_t m = 0; m < members; m++) {
            Py_ssize_t t1 = m + 1 < members ? (Py_ssize_t)starts[m + 1] : trees;
            member_block(xt, lanes, cols, borders, leaves, depth, (Py_ssize_t)starts[m], t1, acc);
            memcpy(out + m * rows + r0, acc, (size_t)nr * sizeof(double));
        }
    }
    Py_END_ALLOW_THREADS
    PyMem_RawFree(xt);
    result = Py_NewRef(Py_None);
done:
    PyBuffer_Release(&x);
    PyBuffer_Release(&c);
    PyBuffer_Release(&b);
    PyBuffer_Release(&l);
    PyBuffer_Release(&s);
    PyBuffer_Release(&o);
    return result;
}

/* ---- word hashes ---------------------------------------------------------------------- */

/* word_hashes(text, word, base, out): ``textstats._word_hashes``: for each run
 * of code points of ``text`` that ``word`` (one byte per code point, 0 or 1)
 * marks (``word`` may be shorter than the text), the polynomial hash sum(cp[k] * base**k) mod 2**64, k counted from
 * the run's first code point, into ``out`` (uint64, one per run: its length
 * must be the number of runs). Integer arithmetic modulo 2**64, as NumPy's
 * uint64 operations wrap: the same hashes. */
static PyObject *word_hashes(PyObject *self, PyObject *args) {
    PyObject *text;
    Py_buffer w = {0}, o = {0};
    unsigned long long base;
    if (!PyArg_ParseTuple(args, "Uy*Kw*", &text, &w, &base, &o)) return NULL;
    PyObject *result = NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), n_out = o.len / (Py_ssize_t)sizeof(uint64_t), k = -1;
    const unsigned char *word = w.buf;
    uint64_t *out = o.buf, hash = 0, power = 1;
    if (o.len % (Py_ssize_t)sizeof(uint64_t)) {
        PyErr_SetString(PyExc_ValueError, "word_hashes: out must hold uint64");
        goto done;
    }
    if (w.len < n) n = w.len; /* code points past ``word`` are no word's, as in NumPy's indexing */
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    for (Py_ssize_t i = 0; i < n; i++) {
        if (!word[i]) continue;
        if (i == 0 || !word[i - 1]) { /* a run starts: the previous one is done */
            if (k >= 0) out[k] = hash;
            if (++k >= n_out) break;
            hash = 0;
            power = 1;
        }
        hash += (uint64_t)PyUnicode_READ(kind, data, i) * power;
        power *= (uint64_t)base;
    }
    if (k >= 0 && k < n_out) out[k] = hash;
    if (k + 1 != n_out) {
        PyErr_SetString(PyExc_ValueError, "word_hashes: out must hold one hash per run");
        goto done;
    }
    result = Py_NewRef(Py_None);
done:
    PyBuffer_Release(&w);
    PyBuffer_Release(&o);
    return result;
}

/* ---- the attribute scan of html/parse.py ---------------------------------------------- */

static int is_ws(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }
static int is_sep(unsigned char c) { return is_ws(c) || c == '/'; }
static int is_alpha(unsigned char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }

/* ``s[p:]`` starts with ``name`` (lower-case ASCII), ignoring ASCII case */
static int starts_name(const unsigned char *s, Py_ssize_t n, Py_ssize_t p, const char *name, Py_ssize_t len) {
    if (n - p < len) return 0;
    for (Py_ssize_t i = 0; i < len; i++)
        if ((is_alpha(s[p + i]) ? s[p + i] | 0x20 : s[p + i]) != (unsigned char)name[i]) return 0;
    return 1;
}

/* parse's ``_ATTRIBUTE`` at ``p``: the end of the attribute, or -1 */
static Py_ssize_t scan_attribute(const unsigned char *s, Py_ssize_t n, Py_ssize_t p) {
    while (p < n && is_sep(s[p])) p++;
    if (p >= n || s[p] == '>') return -1;
    p++; /* the name's first byte may be "=" */
    while (p < n && !is_sep(s[p]) && s[p] != '>' && s[p] != '=') p++;
    Py_ssize_t q = p;
    while (q < n && is_ws(s[q])) q++;
    if (q >= n || s[q] != '=') return p; /* no value */
    q++;
    while (q < n && is_ws(s[q])) q++;
    if (q < n && (s[q] == '"' || s[q] == '\'')) { /* quoted, or no value when the quote never closes */
        const unsigned char *close = memchr(s + q + 1, s[q], (size_t)(n - q - 1));
        return close ? close - s + 1 : q;
    }
    if (q < n && !is_ws(s[q]) && s[q] != '>')
        while (q < n && !is_ws(s[q]) && s[q] != '>') q++;
    return q;
}

/* parse's ``_capped``: at most ``max_attrs`` attributes, separators, then ">"
 * or the end; the end of the tag, or -1 (more attributes than that) */
static Py_ssize_t scan_capped(const unsigned char *s, Py_ssize_t n, Py_ssize_t p, Py_ssize_t max_attrs) {
    for (Py_ssize_t k = 0; k < max_attrs; k++) {
        Py_ssize_t q = scan_attribute(s, n, p);
        if (q < 0) break;
        p = q;
    }
    while (p < n && is_sep(s[p])) p++;
    if (p == n) return n;
    return s[p] == '>' ? p + 1 : -1;
}

/* parse's ``_raw_content``: the start of the raw element's end tag, or the end */
static Py_ssize_t scan_raw_content(const unsigned char *s, Py_ssize_t n, Py_ssize_t p, const char *name,
                                   Py_ssize_t len) {
    for (;;) {
        const unsigned char *lt = memchr(s + p, '<', (size_t)(n - p));
        if (!lt) return n;
        Py_ssize_t i = lt - s;
        if (i + 2 + len < n && s[i + 1] == '/' && starts_name(s, n, i + 2, name, len) &&
            (is_sep(s[i + 2 + len]) || s[i + 2 + len] == '>'))
            return i;
        p = i + 1;
    }
}

/* markup_end(html, pos, max_attributes, raw_names, rest_name) -> int: where
 * parse's ``_markup_pattern(max_attributes).match(html, pos)`` ends (the same
 * tokens, tried in the same order): text, a "<" that opens nothing, a
 * raw-text element (``raw_names``, lower-case; ``rest_name``'s content runs
 * to the end), any other tag, a comment; it stops before a tag with more
 * than ``max_attributes`` attributes, or at the end. */
static PyObject *markup_end(PyObject *self, PyObject *args) {
    Py_buffer h = {0};
    Py_ssize_t pos, max_attrs;
    PyObject *names;
    const char *rest;
    Py_ssize_t rest_len;
    if (!PyArg_ParseTuple(args, "y*nnO!y#", &h, &pos, &max_attrs, &PyTuple_Type, &names, &rest, &rest_len)) return NULL;
    const unsigned char *s = h.buf;
    Py_ssize_t n = h.len, n_names = PyTuple_GET_SIZE(names);
    for (Py_ssize_t k = 0; k < n_names; k++)
        if (!PyBytes_Check(PyTuple_GET_ITEM(names, k))) {
            PyBuffer_Release(&h);
            PyErr_SetString(PyExc_TypeError, "markup_end: raw_names holds bytes");
            return NULL;
        }
    if (pos < 0) pos = 0;
    while (pos < n) {
        if (s[pos] != '<') { /* text */
            const unsigned char *lt = memchr(s + pos, '<', (size_t)(n - pos));
            pos = lt ? lt - s : n;
            continue;
        }
        Py_ssize_t p = pos + 1;
        int end_tag = p < n && s[p] == '/';
        int tag = p + end_tag < n && is_alpha(s[p + end_tag]);
        int comment = starts_name(s, n, p, "!--", 3);
        if (!tag && !comment) { /* a "<" that opens nothing is text */
            pos = p;
            continue;
        }
        if (comment) { /* to the first "-->" after "<!--", or the end */
            Py_ssize_t end = n;
            for (Py_ssize_t q = p + 3; q + 2 < n; q++) {
                const unsigned char *dash = memchr(s + q, '-', (size_t)(n - 2 - q));
                if (!dash) break;
                q = dash - s;
                if (s[q + 1] == '-' && s[q + 2] == '>') {
                    end = q + 3;
                    break;
                }
            }
            pos = end;
            continue;
        }
        if (!end_tag) { /* a raw-text element? */
            int raw = 0;
            for (Py_ssize_t k = 0; k <= n_names && !raw; k++) {
                PyObject *name = k < n_names ? PyTuple_GET_ITEM(names, k) : NULL;
                const char *nm = name ? PyBytes_AS_STRING(name) : rest;
                Py_ssize_t len = name ? PyBytes_GET_SIZE(name) : rest_len;
                if (!(p + len < n && starts_name(s, n, p, nm, len) && (is_sep(s[p + len]) || s[p + len] == '>'))) continue;
                Py_ssize_t end = scan_capped(s, n, p + len, max_attrs);
                if (end < 0) break; /* too many attributes: so is the tag below */
                pos = name ? scan_raw_content(s, n, end, nm, len) : n;
                raw = 1;
            }
            if (raw) continue;
        }
        Py_ssize_t q = p + end_tag + 1; /* the tag's name */
        while (q < n && !is_sep(s[q]) && s[q] != '>') q++;
        Py_ssize_t end = scan_capped(s, n, q, max_attrs);
        if (end < 0) break;
        pos = end;
    }
    PyBuffer_Release(&h);
    return PyLong_FromSsize_t(pos < n ? pos : n);
}

static int resolve(void *lib, const char *name, void **out) {
    *out = dlsym(lib, name);
    if (!*out) PyErr_Format(PyExc_ImportError, "selectolax's Lexbor lacks %s", name);
    return *out ? 0 : -1;
}

/* init(lexbor_so_path, probe_text_id, probe_text, tag_info, class_mask, is_hidden_style, kinds, bits):
 * resolve Lexbor's functions from selectolax's loaded module, check the text
 * offset on a probe text node, and take segment.py's definitions. Raises
 * ImportError when selectolax's module does not fit. */
static PyObject *init(PyObject *self, PyObject *args) {
    const char *path;
    unsigned long long probe_id;
    const char *probe;
    Py_ssize_t probe_len;
    PyObject *ti, *cm, *hs, *kinds, *bits;
    if (!PyArg_ParseTuple(args, "sKy#OOOO!O!", &path, &probe_id, &probe, &probe_len, &ti, &cm, &hs, &PyTuple_Type,
                          &kinds, &PyTuple_Type, &bits))
        return NULL;
    if (PyTuple_GET_SIZE(kinds) != 6 || PyTuple_GET_SIZE(bits) != 5) {
        PyErr_SetString(PyExc_TypeError, "init: 6 kinds and 5 bits");
        return NULL;
    }
    ready = 0;
    void *lib = dlopen(path, RTLD_NOLOAD | RTLD_LAZY);
    if (!lib) {
        PyErr_Format(PyExc_ImportError, "selectolax's Lexbor module is not loaded: %s", dlerror());
        return NULL;
    }
    int bad = resolve(lib, "lxb_dom_node_tag_id_noi", (void **)&node_tag_id) ||
              resolve(lib, "lxb_dom_node_type_noi", (void **)&node_type) ||
              resolve(lib, "lxb_dom_node_first_child_noi", (void **)&node_first_child) ||
              resolve(lib, "lxb_dom_node_next_noi", (void **)&node_next) ||
              resolve(lib, "lxb_dom_element_qualified_name", (void **)&element_qname) ||
              resolve(lib, "lxb_dom_attr_qualified_name", (void **)&attr_qname) ||
              resolve(lib, "lxb_dom_element_first_attribute_noi", (void **)&element_first_attr) ||
              resolve(lib, "lxb_dom_element_next_attribute_noi", (void **)&element_next_attr) ||
              resolve(lib, "lxb_dom_attr_value_noi", (void **)&attr_value) ||
              resolve(lib, "lexbor_str_data_noi", (void **)&str_data) ||
              resolve(lib, "lexbor_str_length_noi", (void **)&str_length);
    dlclose(lib); /* RTLD_NOLOAD took a reference; selectolax's import keeps the module loaded */
    if (bad) return NULL;
    lxb_node *probe_node = (lxb_node *)(uintptr_t)probe_id;
    if (!probe_node || node_type(probe_node) != NODE_TEXT) {
        PyErr_SetString(PyExc_ImportError, "the probe node is no Lexbor text node");
        return NULL;
    }
    /* A character-data node is the node struct followed by its string: try
     * the pointer-aligned offsets past the node's dozen fields. At a wrong
     * offset the "data pointer" is any word, so it is never dereferenced here:
     * the kernel copies it through a pipe and says EFAULT where it points to
     * no readable memory (a layout we do not know falls back, never crashes). */
    text_offset = 0;
    int pipe_fds[2];
    if (probe_len <= 0 || probe_len > 256 || pipe(pipe_fds) != 0) {
        PyErr_SetString(PyExc_ImportError, "cannot check Lexbor's text node layout");
        return NULL;
    }
    unsigned char seen[256];
    for (size_t off = 64; off <= 160; off += sizeof(void *)) {
        unsigned char *d = str_data((char *)probe_node + off);
        if (!d || str_length((char *)probe_node + off) != (size_t)probe_len) continue;
        if (write(pipe_fds[1], d, (size_t)probe_len) != probe_len) continue; /* EFAULT: not memory */
        if (read(pipe_fds[0], seen, (size_t)probe_len) != probe_len) break;
        if (memcmp(seen, probe, probe_len) == 0) {
            text_offset = off;
            break;
        }
    }
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    if (!text_offset) {
        PyErr_SetString(PyExc_ImportError, "Lexbor's text node layout is not the expected one");
        return NULL;
    }
    text_tag_id = node_tag_id(probe_node);
    Py_XSETREF(tag_info_fn, Py_NewRef(ti));
    Py_XSETREF(class_mask_fn, Py_NewRef(cm));
    Py_XSETREF(hidden_style_fn, Py_NewRef(hs));
    PyObject **ks[6] = {&kind_code, &kind_heading, &kind_caption, &kind_quote, &kind_list_item, &kind_paragraph};
    for (int i = 0; i < 6; i++) Py_XSETREF(*ks[i], Py_NewRef(PyTuple_GET_ITEM(kinds, i)));
    uint64_t *bs[5] = {&pre_bit, &fig_bit, &quote_bit, &list_bit, &hidden_bit};
    for (int i = 0; i < 5; i++) *bs[i] = PyLong_AsUnsignedLongLong(PyTuple_GET_ITEM(bits, i));
    if (PyErr_Occurred()) return NULL;
    memset(mask_cache, 0, sizeof mask_cache); /* so may the groups */
    for (int i = 0; i < CACHE_SLOTS; i++) { /* descriptions may have changed */
        if (cache[i].name) { PyMem_Free(cache[i].name); Py_DECREF(cache[i].info.tag); cache[i].name = NULL; }
    }
    ready = 1;
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"init", init, METH_VARARGS, "Resolve Lexbor from selectolax and take segment.py's definitions."},
    {"walk", walk, METH_VARARGS, "The segmentation walk over a Lexbor node (see html/segment.py)."},
    {"container_repeats", container_repeats, METH_VARARGS, "segment._container_repeats over the walk's opened list."},
    {"forest_sums", forest_sums, METH_VARARGS, "_forest's leaf sums per member and row, in tree order."},
    {"word_hashes", word_hashes, METH_VARARGS, "textstats._word_hashes: the hash of each run of word characters."},
    {"markup_end", markup_end, METH_VARARGS, "Where parse's attribute scan stops: a tag with too many, or the end."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_core", "thresher's compiled segmentation walk.", -1,
                                    methods};

PyMODINIT_FUNC PyInit__core(void) {
    s_empty = PyUnicode_InternFromString("");
    s_space = PyUnicode_InternFromString(" ");
    s_crlf = PyUnicode_InternFromString("\n\r");
    s_rstrip = PyUnicode_InternFromString("rstrip");
    s_strip = PyUnicode_InternFromString("strip");
    if (!s_empty || !s_space || !s_crlf || !s_rstrip || !s_strip) return NULL;
    return PyModule_Create(&module);
}
