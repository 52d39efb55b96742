#!/usr/bin/env python3
"""Compares two crates' public APIs through their rustdoc JSON.

The reference crate (mio) sets the API; the candidate crate (the mio facade
in compat/mio, which re-exports metal-io) must offer every public item of the
reference under the same path and with the same kind, every function and
method with the same signature, and every trait implementation the reference
has. Items and implementations only the candidate has are allowed and are
listed as information.

Paths are compared with the crate name replaced by `crate`, so `mio::Poll`
and `metal_io::Poll` compare equal. Generic parameters are renamed by
position, and bounds written inline or in a `where` clause are merged, so
that only differences a caller can observe are reported. Items hidden with
`#[doc(hidden)]` are not public API by convention and are not compared.

Usage:
    api_parity.py --reference mio.json --candidate facade.json \
        [--extern metal_io=metal_io.json ...] [--label TEXT]
    api_parity.py --self-check --reference mio.json

`--extern` supplies the JSON of a crate the candidate glob re-exports
(`pub use metal_io::*;`): rustdoc does not inline glob re-exports of other
crates, so the walk continues in that crate's own JSON.

Exit status: 0 when the candidate matches, 1 when anything differs, 2 on
bad input. `--self-check` plants differences in a copy of the reference
and fails unless all are found, proving that the comparison still reads the
installed nightly's JSON. Python 3.11 standard library only.
"""

import argparse
import json
import sys

# The rustdoc JSON format version this parser was checked against. Fields
# known to have been renamed between versions are read under both names, so
# another version is tried with a warning rather than refused (the
# self-check and MIN_ITEMS catch a misreading); versions below MIN_FORMAT
# are refused.
MIN_FORMAT = 30
TESTED_FORMAT = 57

AUTO_TRAITS = {"Send", "Sync", "Unpin", "UnwindSafe", "RefUnwindSafe", "Freeze"}

# `Freeze` is a compiler-internal auto trait that stable code cannot name:
# its implementations are not compared at all.
IGNORED_TRAITS = {"Freeze"}

# Implementations a caller cannot observe, so a difference in them is listed
# as information only: `Drop` cannot be called or usefully named in a bound,
# and the types that have it keep their fields private.
UNOBSERVABLE_TRAITS = {"Drop"}

# Fewer public items than this in the reference means the walk went wrong.
MIN_ITEMS = 20

# Item kinds as rustdoc names them, with older spellings mapped to newer.
KIND_ALIASES = {"typedef": "type_alias", "import": "use", "method": "function"}


# Format versions already warned about.
WARNED = set()


class ApiError(Exception):
    """Input this script cannot read."""


def field(obj, *names, default=None):
    """Returns the first of `names` present in `obj` (fields were renamed)."""
    if not isinstance(obj, dict):
        return default
    for name in names:
        if name in obj:
            return obj[name]
    return default


def split_inner(item):
    """Returns (kind, inner) of an index item, for old and new layouts."""
    inner = item.get("inner")
    if "kind" in item and isinstance(item["kind"], str):
        kind = item["kind"]
        if isinstance(inner, dict) and len(inner) == 1 and kind in inner:
            inner = inner[kind]
    elif isinstance(inner, dict) and len(inner) == 1:
        kind, inner = next(iter(inner.items()))
    elif isinstance(inner, str):
        kind, inner = inner, {}
    else:
        raise ApiError(f"cannot read item kind of {item.get('name')!r}")
    return KIND_ALIASES.get(kind, kind), inner if inner is not None else {}


def one_key(value):
    """Splits a one-key dict (rustdoc's enum encoding) into (key, value)."""
    if isinstance(value, str):
        return value, None
    if isinstance(value, dict) and len(value) == 1:
        return next(iter(value.items()))
    return None, value


class Crate:
    """One rustdoc JSON document and the public paths found in it."""

    def __init__(self, path, doc):
        self.file = path
        self.doc = doc
        self.version = doc.get("format_version")
        if not isinstance(self.version, int) or self.version < MIN_FORMAT:
            raise ApiError(
                f"{path}: rustdoc JSON format_version {self.version!r} is "
                f"older than {MIN_FORMAT}, which this script cannot read"
            )
        if self.version != TESTED_FORMAT and self.version not in WARNED:
            WARNED.add(self.version)
            print(
                f"warning: {path}: format_version {self.version}, but this "
                f"script was checked against {TESTED_FORMAT}; reading it anyway",
                file=sys.stderr,
            )
        self.index = doc["index"]
        self.paths = doc.get("paths", {})
        root = self.index[str(doc["root"])]
        self.name = root["name"]
        # (item id) -> list of public paths, filled by the walk.
        self.public = {}

    def item(self, ident):
        return self.index.get(str(ident))


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            return Crate(path, json.load(f))
    except (OSError, ValueError, KeyError) as err:
        raise ApiError(f"{path}: {err}") from err


class Api:
    """The public surface of one crate (plus the crates it glob re-exports).

    `items` maps a normalised path (a tuple of names, without the crate name)
    to (crate, id, kind); `crates` lists the crates the walk went through.
    """

    def __init__(self, top, externs):
        self.top = top
        self.externs = externs
        self.crates = [top]
        self.items = {}
        self.warnings = []
        self._walked = set()
        self.walk_module(top, top.doc["root"], ())

    # --- Walking modules --------------------------------------------------

    def walk_module(self, crate, module_id, prefix):
        key = (id(crate), str(module_id), prefix)
        if key in self._walked:
            return
        self._walked.add(key)
        _, inner = split_inner(crate.item(module_id))
        for child in field(inner, "items", default=[]):
            item = crate.item(child)
            if item is None:
                continue
            kind, body = split_inner(item)
            if kind == "use":
                self.walk_use(crate, body, prefix)
            elif item.get("name") is not None:
                self.add(crate, child, prefix + (item["name"],))

    def walk_use(self, crate, use, prefix):
        target = field(use, "id")
        name = field(use, "name")
        if field(use, "is_glob", "glob", default=False):
            self.walk_glob(crate, target, use, prefix)
        elif target is not None and crate.item(target) is not None:
            self.add(crate, target, prefix + (name,))
        else:
            # A re-export of another crate's item that rustdoc did not
            # inline: follow it into that crate's JSON when we have it.
            found = self.find_extern(crate, target)
            if found is not None:
                self.add(found[0], found[1], prefix + (name,))
            else:
                summary = crate.paths.get(str(target), {})
                kind = KIND_ALIASES.get(summary.get("kind"), summary.get("kind"))
                self.items[prefix + (name,)] = (crate, target, kind or "use")

    def walk_glob(self, crate, target, use, prefix):
        if target is not None and crate.item(target) is not None:
            kind, _ = split_inner(crate.item(target))
            if kind == "module":
                self.walk_module(crate, target, prefix)
                return
        found = self.find_extern(crate, target)
        if found is not None and found[2] == "module":
            self.walk_module(found[0], found[1], prefix)
            return
        self.warnings.append(
            f"glob re-export `{field(use, 'source')}::*` could not be followed; "
            "pass that crate's JSON with --extern"
        )

    def find_extern(self, crate, target):
        """Finds an item of another crate, named by `crate.paths`, in the
        JSON given with --extern. Returns (crate, id, kind) or None."""
        summary = crate.paths.get(str(target))
        if not summary:
            return None
        segments = summary["path"]
        other = self.externs.get(segments[0])
        if other is None:
            return None
        if other not in self.crates:
            self.crates.append(other)
        ident = other.doc["root"]
        for name in segments[1:]:
            ident = self.child_named(other, ident, name)
            if ident is None:
                return None
        kind, _ = split_inner(other.item(ident))
        return other, ident, kind

    def child_named(self, crate, module_id, name):
        _, inner = split_inner(crate.item(module_id))
        for child in field(inner, "items", default=[]):
            item = crate.item(child)
            if item is None:
                continue
            kind, body = split_inner(item)
            if kind == "use" and field(body, "name") == name:
                return field(body, "id")
            if item.get("name") == name:
                return child
        return None

    def add(self, crate, ident, path):
        item = crate.item(ident)
        kind, _ = split_inner(item)
        self.items[path] = (crate, ident, kind)
        crate.public.setdefault(str(ident), []).append(path)
        if kind == "module":
            self.walk_module(crate, ident, path)


class Renderer:
    """Renders types, bounds and signatures as normalised strings."""

    def __init__(self, api, prefer):
        self.api = api
        # Paths the other side has: used to pick, among several public paths
        # of one item, the one both sides can agree on.
        self.prefer = prefer
        self._canonical = {}

    def canonical(self, crate, ident):
        key = (id(crate), str(ident))
        if key not in self._canonical:
            paths = crate.public.get(str(ident), [])
            shared = [p for p in paths if p in self.prefer]
            pool = shared or paths
            best = min(pool, key=lambda p: (len(p), p)) if pool else None
            self._canonical[key] = best
        return self._canonical[key]

    def path_name(self, crate, ident, written):
        """Names the item `ident` refers to, independent of how it was
        written in the source."""
        if ident is not None and crate.item(ident) is not None:
            item = crate.item(ident)
            if item.get("crate_id", 0) == 0:
                best = self.canonical(crate, ident)
                if best is not None:
                    return "crate::" + "::".join(best)
                if str(ident) not in crate.paths:
                    return "<private>::" + (written or "?")
        summary = crate.paths.get(str(ident)) if ident is not None else None
        if summary:
            segments = list(summary["path"])
            other = self.api.externs.get(segments[0])
            if segments[0] == crate.name and summary.get("crate_id") == 0:
                best = self.canonical(crate, ident)
                if best is not None:
                    return "crate::" + "::".join(best)
                return "<private>::" + "::".join(segments[1:])
            if other is not None:
                found = self.api.find_extern(crate, ident)
                if found is not None:
                    best = self.canonical(found[0], found[1])
                    if best is not None:
                        return "crate::" + "::".join(best)
            return "::".join(segments)
        return written or "?"

    # --- Types ------------------------------------------------------------

    def ty(self, crate, t, names):
        kind, v = one_key(t)
        if kind is None:
            return "?"
        if kind == "resolved_path":
            return self.path(crate, v, names)
        if kind == "generic":
            return names.get(v, v)
        if kind == "primitive":
            return v
        if kind == "tuple":
            parts = [self.ty(crate, x, names) for x in v]
            return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"
        if kind == "slice":
            return "[" + self.ty(crate, v, names) + "]"
        if kind == "array":
            return f"[{self.ty(crate, v['type'], names)}; {v['len']}]"
        if kind == "raw_pointer":
            mutable = field(v, "is_mutable", "mutable")
            return ("*mut " if mutable else "*const ") + self.ty(crate, v["type"], names)
        if kind == "borrowed_ref":
            life = self.lifetime(field(v, "lifetime"), names)
            life = "" if life == "'_" else life + " "
            mutable = "mut " if field(v, "is_mutable", "mutable") else ""
            return f"&{life}{mutable}{self.ty(crate, v['type'], names)}"
        if kind == "dyn_trait":
            parts = [self.poly_trait(crate, x, names) for x in v.get("traits", [])]
            if v.get("lifetime"):
                parts.append(self.lifetime(v["lifetime"], names))
            return "dyn " + " + ".join(parts)
        if kind == "impl_trait":
            return "impl " + " + ".join(self.bound(crate, b, names) for b in v)
        if kind == "function_pointer":
            return self.fn_pointer(crate, v, names)
        if kind == "qualified_path":
            self_ty = self.ty(crate, v["self_type"], names)
            trait = v.get("trait")
            args = self.args(crate, v.get("args"), names)
            if trait:
                return f"<{self_ty} as {self.path(crate, trait, names)}>::{v['name']}{args}"
            return f"{self_ty}::{v['name']}{args}"
        if kind == "infer":
            return "_"
        if kind == "pat":
            pattern = v.get("__pat_unstable_do_not_use")
            return f"{self.ty(crate, v['type'], names)} is {pattern}"
        return f"<{kind}>"

    def lifetime(self, life, names):
        if life is None or life == "'_":
            return "'_"
        return names.get(life, life)

    def path(self, crate, p, names):
        written = field(p, "path", "name")
        name = self.path_name(crate, field(p, "id"), written)
        return name + self.args(crate, field(p, "args"), names)

    def args(self, crate, args, names):
        if not args:
            return ""
        kind, v = one_key(args)
        if kind == "angle_bracketed":
            out = []
            for a in v.get("args", []):
                akind, av = one_key(a)
                if akind == "lifetime":
                    out.append(self.lifetime(av, names))
                elif akind == "type":
                    out.append(self.ty(crate, av, names))
                elif akind == "const":
                    out.append(str(field(av, "expr", "value")))
                else:
                    out.append("_")
            for c in field(v, "constraints", "bindings", default=[]):
                out.append(self.constraint(crate, c, names))
            return "<" + ", ".join(out) + ">" if out else ""
        if kind == "parenthesized":
            inputs = ", ".join(self.ty(crate, x, names) for x in v.get("inputs", []))
            output = v.get("output")
            ret = f" -> {self.ty(crate, output, names)}" if output else ""
            return f"({inputs}){ret}"
        if kind == "return_type_notation":
            return "(..)"
        return ""

    def constraint(self, crate, c, names):
        name = c["name"] + self.args(crate, c.get("args"), names)
        kind, v = one_key(field(c, "binding", "kind"))
        if kind == "equality":
            tkind, tv = one_key(v)
            if tkind == "type":
                return f"{name} = {self.ty(crate, tv, names)}"
            return f"{name} = {tv}"
        if kind == "constraint":
            return f"{name}: " + " + ".join(self.bound(crate, b, names) for b in v)
        return name

    def bound(self, crate, b, names):
        kind, v = one_key(b)
        if kind == "trait_bound":
            return self.poly_trait(crate, v, names)
        if kind == "outlives":
            return self.lifetime(v, names)
        if kind == "use":
            return "use<..>"
        return "?"

    def poly_trait(self, crate, v, names):
        modifier = v.get("modifier", "none")
        prefix = {"maybe": "?", "maybe_const": "~const "}.get(modifier, "")
        hrtb = v.get("generic_params") or []
        inner = dict(names)
        lives = []
        for i, gp in enumerate(hrtb):
            inner[gp["name"]] = f"'h{i}"
            lives.append(f"'h{i}")
        head = f"for<{', '.join(lives)}> " if lives else ""
        return head + prefix + self.path(crate, v["trait"], inner)

    def fn_pointer(self, crate, v, names):
        sig = field(v, "sig", "decl")
        header = v.get("header", {})
        inputs = ", ".join(self.ty(crate, t, names) for _, t in sig["inputs"])
        out = sig.get("output")
        ret = f" -> {self.ty(crate, out, names)}" if out else ""
        return f"{self.header(header)}fn({inputs}){ret}"

    def header(self, h):
        words = []
        if field(h, "is_const", "const_"):
            words.append("const")
        if field(h, "is_async", "async_"):
            words.append("async")
        if field(h, "is_unsafe", "unsafe_"):
            words.append("unsafe")
        abi = h.get("abi", "Rust")
        if abi != "Rust":
            words.append(f"extern {abi!r}")
        return " ".join(words) + (" " if words else "")

    # --- Generics ---------------------------------------------------------

    def generics(self, crate, g, names, drop_lifetimes=False):
        """Renames the parameters of `g` by position into `names` and
        returns (parameter list, where clause) as strings.

        With `drop_lifetimes`, lifetime parameters without bounds are left
        out and their uses written as `'_`: for an impl header, that is the
        same as an elided lifetime."""
        params = field(g, "params", default=[])
        preds = field(g, "where_predicates", default=[])
        counts = {"lifetime": 0, "type": 0, "const": 0}
        order = []
        for p in params:
            kind, v = one_key(p["kind"])
            if kind == "lifetime":
                if drop_lifetimes and not field(v, "outlives", default=[]):
                    names[p["name"]] = "'_"
                    continue
                names[p["name"]] = f"'l{counts['lifetime']}"
            elif kind == "type":
                names[p["name"]] = f"T{counts['type']}"
                if field(v, "is_synthetic", "synthetic"):
                    names[p["name"]] = f"impl#{counts['type']}"
            else:
                names[p["name"]] = f"C{counts['const']}"
            counts[kind] = counts.get(kind, 0) + 1
            order.append((p, kind, v))

        # Bounds on a plain parameter are merged, wherever they were written.
        bounds = {}
        rest = []
        for p, kind, v in order:
            mine = bounds.setdefault(names[p["name"]], set())
            if kind == "type":
                mine.update(self.bound(crate, b, names) for b in v.get("bounds", []))
            elif kind == "lifetime":
                mine.update(self.lifetime(x, names) for x in v.get("outlives", []))
        for pred in preds:
            pkind, pv = one_key(pred)
            if pkind == "bound_predicate":
                tkind, tv = one_key(pv["type"])
                rendered = {self.bound(crate, b, names) for b in pv.get("bounds", [])}
                if tkind == "generic" and names.get(tv, tv) in bounds and not pv.get(
                    "generic_params"
                ):
                    bounds[names.get(tv, tv)].update(rendered)
                else:
                    lhs = self.ty(crate, pv["type"], names)
                    rest.append(f"{lhs}: " + " + ".join(sorted(rendered)))
            elif pkind == "lifetime_predicate":
                life = self.lifetime(pv["lifetime"], names)
                outs = {self.lifetime(x, names) for x in pv.get("outlives", [])}
                bounds.setdefault(life, set()).update(outs)
            elif pkind == "eq_predicate":
                lhs = self.ty(crate, pv["lhs"], names)
                rkind, rv = one_key(pv["rhs"])
                rhs = self.ty(crate, rv, names) if rkind == "type" else str(rv)
                rest.append(f"{lhs} == {rhs}")

        shown = []
        for p, kind, v in order:
            n = names[p["name"]]
            b = sorted(bounds.get(n, ()))
            text = n + (": " + " + ".join(b) if b else "")
            default = field(v, "default") if kind == "type" else None
            if default is not None:
                text += " = " + self.ty(crate, default, names)
            if kind == "const":
                text = f"const {n}: {self.ty(crate, v['type'], names)}"
            shown.append(text)
        plist = "<" + ", ".join(shown) + ">" if shown else ""
        where = " where " + ", ".join(sorted(rest)) if rest else ""
        return plist, where

    # --- Items ------------------------------------------------------------

    def function(self, crate, body, names=None):
        names = dict(names or {})
        plist, where = self.generics(crate, field(body, "generics", default={}), names)
        sig = field(body, "sig", "decl")
        inputs = []
        for pname, t in sig["inputs"]:
            if pname == "self":
                inputs.append(self.self_param(crate, t, names))
            else:
                inputs.append(self.ty(crate, t, names))
        if sig.get("is_c_variadic", sig.get("c_variadic")):
            inputs.append("...")
        out = sig.get("output")
        ret = f" -> {self.ty(crate, out, names)}" if out else ""
        head = self.header(field(body, "header", default={}))
        return f"{head}fn{plist}({', '.join(inputs)}){ret}{where}"

    def self_param(self, crate, t, names):
        kind, v = one_key(t)
        if kind == "generic" and v == "Self":
            return "self"
        if kind == "borrowed_ref":
            inner_kind, inner = one_key(v["type"])
            if inner_kind == "generic" and inner == "Self":
                life = self.lifetime(field(v, "lifetime"), names)
                life = "" if life == "'_" else life + " "
                mutable = "mut " if field(v, "is_mutable", "mutable") else ""
                return f"&{life}{mutable}self"
        return "self: " + self.ty(crate, t, names)

    def impl_header(self, crate, body):
        names = {}
        plist, where = self.generics(
            crate, field(body, "generics", default={}), names, drop_lifetimes=True
        )
        for_ty = self.ty(crate, body["for"], names)
        trait = body.get("trait")
        if trait is None:
            return f"impl{plist} {for_ty}{where}", names, None
        tname = self.path(crate, trait, names)
        bare = field(trait, "path", "name", default="").split("::")[-1]
        unsafe = "unsafe " if body.get("is_unsafe") and bare not in AUTO_TRAITS else ""
        neg = "!" if field(body, "is_negative", "negative") else ""
        return f"{unsafe}impl{plist} {neg}{tname} for {for_ty}{where}", names, bare



class Side:
    """Everything compared for one crate, rendered to strings."""

    def __init__(self, api, prefer):
        self.api = api
        self.r = Renderer(api, prefer)
        self.kinds = {}  # path -> kind
        self.sigs = {}  # path -> rendered signature or shape
        self.impls = {}  # rendered impl header -> detail
        self.quiet_impls = {}  # the same, for UNOBSERVABLE_TRAITS
        self.provided = {}  # trait method path -> bool (has a default)
        self.collect()

    def collect(self):
        api, r = self.api, self.r
        for path, (crate, ident, kind) in api.items.items():
            self.kinds[path] = kind
            item = crate.item(ident)
            if item is None:
                continue
            _, body = split_inner(item)
            if kind == "function":
                self.sigs[path] = r.function(crate, body)
            elif kind in ("struct", "enum", "union", "trait"):
                self.owner(crate, ident, path, kind, body)
            elif kind == "type_alias":
                names = {}
                plist, where = r.generics(crate, field(body, "generics", default={}), names)
                self.sigs[path] = f"type{plist} = {r.ty(crate, body['type'], names)}{where}"
            elif kind in ("constant", "static"):
                t = field(body, "type", "type_")
                self.sigs[path] = f"{kind}: {r.ty(crate, t, {})}" if t else kind

        # Trait implementations, from every crate the walk went through.
        for crate in api.crates:
            for ident, item in crate.index.items():
                if item.get("crate_id", 0) != 0:
                    continue
                kind, body = split_inner(item)
                if kind != "impl" or body.get("trait") is None or body.get("blanket_impl"):
                    continue
                header, names, bare = r.impl_header(crate, body)
                if "<private>" in header or bare in IGNORED_TRAITS:
                    continue
                table = self.quiet_impls if bare in UNOBSERVABLE_TRAITS else self.impls
                table[header] = self.impl_items(crate, body, names)

    def owner(self, crate, ident, path, kind, body):
        r = self.r
        best = r.canonical(crate, ident)
        names = {}
        plist, where = r.generics(crate, field(body, "generics", default={}), names)
        if kind == "struct":
            self.sigs[path] = "struct" + plist + self.shape(crate, body, names) + where
        elif kind == "enum":
            variants = [crate.item(v)["name"] for v in body.get("variants", [])]
            self.sigs[path] = f"enum{plist} {{{', '.join(variants)}}}{where}"
        elif kind == "trait":
            flags = [
                w
                for w, on in (
                    ("unsafe", body.get("is_unsafe")),
                    ("auto", body.get("is_auto")),
                    ("dyn-compatible", field(body, "is_dyn_compatible", "is_object_safe")),
                )
                if on
            ]
            supers = sorted(r.bound(crate, b, names) for b in body.get("bounds", []))
            sup = ": " + " + ".join(supers) if supers else ""
            self.sigs[path] = f"{' '.join(flags)} trait{plist}{sup}{where}".strip()
        else:
            self.sigs[path] = "union" + plist + where

        # Members are listed once, under the path both sides agree on.
        if best is not None and path != best:
            return
        if kind == "trait":
            for m in body.get("items", []):
                self.member(crate, m, path, names, in_trait=True)
            return
        for impl_id in body.get("impls", []):
            impl = crate.item(impl_id)
            if impl is None:
                continue
            _, ib = split_inner(impl)
            if ib.get("trait") is not None:
                continue
            inames = {}
            header, where = r.generics(crate, field(ib, "generics", default={}), inames)
            for_ty = r.ty(crate, ib["for"], inames)
            context = f" [in impl{header} {for_ty}{where}]" if header or where else ""
            # In an inherent impl, `Self` and the type's own name are the
            # same type to a caller.
            inames["Self"] = for_ty
            for m in ib.get("items", []):
                self.member(crate, m, path, inames, context=context)

    def shape(self, crate, body, names):
        r = self.r
        skind, sv = one_key(field(body, "kind", "struct_type"))
        if skind == "unit":
            return " ;"
        if skind == "tuple":
            fields = []
            for f in sv or []:
                item = crate.item(f) if f is not None else None
                if item is None:
                    fields.append("_")
                else:
                    _, fb = split_inner(item)
                    fields.append("pub " + r.ty(crate, fb, names))
            if all(f == "_" for f in fields):
                return " {..}"
            return "(" + ", ".join(fields) + ")"
        fields = []
        for f in field(sv, "fields", default=[]):
            item = crate.item(f)
            if item is None:
                continue
            _, fb = split_inner(item)
            fields.append(f"pub {item['name']}: {r.ty(crate, fb, names)}")
        return " {" + ", ".join(fields + [".."]) + "}"

    def member(self, crate, m, owner_path, names, in_trait=False, context=""):
        item = crate.item(m)
        if item is None or item.get("name") is None:
            return
        kind, body = split_inner(item)
        path = owner_path + (item["name"],)
        r = self.r
        if kind == "function":
            self.kinds[path] = "trait method" if in_trait else "method"
            self.sigs[path] = r.function(crate, body, names) + context
            if in_trait:
                self.provided[path] = bool(field(body, "has_body", default=False))
        elif kind == "assoc_const":
            self.kinds[path] = "associated const"
            t = field(body, "type", "type_")
            self.sigs[path] = "const: " + r.ty(crate, t, names) + context
        elif kind == "assoc_type":
            self.kinds[path] = "associated type"
            bounds = sorted(r.bound(crate, b, names) for b in body.get("bounds", []))
            self.sigs[path] = "type" + (": " + " + ".join(bounds) if bounds else "")
        else:
            self.kinds[path] = kind

    def impl_items(self, crate, body, names):
        """The associated types an implementation fixes (`Item`, `Target`,
        `Error`), which a caller can observe."""
        out = []
        for m in body.get("items", []):
            item = crate.item(m)
            if item is None:
                continue
            kind, ib = split_inner(item)
            if kind == "assoc_type" and ib.get("type") is not None:
                out.append(f"type {item['name']} = {self.r.ty(crate, ib['type'], names)}")
        return "; ".join(sorted(out))


def show(path):
    return "::".join(path) if path else "(crate root)"


def diff(ref, cand):
    """Compares two walked APIs. Returns (problems, infos, counts): each
    problem is (tag, what, detail or None); counts says what was checked."""
    ref_side = Side(ref, set(cand.items))
    cand_side = Side(cand, set(ref.items))
    problems = [("UNREAD", w, None) for w in ref.warnings + cand.warnings]
    infos = []

    # A walk that found almost nothing means the JSON was misread, not that
    # the candidate matches.
    if len(ref_side.kinds) < MIN_ITEMS or not ref_side.impls:
        problems.append(
            (
                "UNREAD",
                f"only {len(ref_side.kinds)} items and {len(ref_side.impls)} impls "
                "found in the reference; the JSON layout was probably misread",
                None,
            )
        )

    for path in sorted(ref_side.kinds):
        problems.extend(compare_item(ref_side, cand_side, path))

    for header in sorted(ref_side.impls):
        if header not in cand_side.impls:
            problems.append(("IMPL", f"missing `{header}`", None))
        elif ref_side.impls[header] != cand_side.impls[header]:
            detail = (
                f"reference: {ref_side.impls[header]}\n"
                f"  candidate: {cand_side.impls[header]}"
            )
            problems.append(("IMPL", f"`{header}` differs", detail))

    for header in sorted(set(ref_side.quiet_impls) - set(cand_side.quiet_impls)):
        infos.append(f"not compared (unobservable): missing `{header}`")
    for header in sorted(set(cand_side.quiet_impls) - set(ref_side.quiet_impls)):
        infos.append(f"not compared (unobservable): extra `{header}`")
    for path in sorted(set(cand_side.kinds) - set(ref_side.kinds)):
        infos.append(f"extra {cand_side.kinds[path]} {show(path)}")
    for header in sorted(set(cand_side.impls) - set(ref_side.impls)):
        infos.append(f"extra `{header}`")
    return problems, infos, (len(ref_side.kinds), len(ref_side.impls))


def compare_item(ref_side, cand_side, path):
    kind = ref_side.kinds[path]
    if path not in cand_side.kinds:
        return [("MISSING", f"{kind} {show(path)}", None)]
    ckind = cand_side.kinds[path]
    if ckind != kind:
        return [("KIND", show(path), f"reference: {kind}\n  candidate: {ckind}")]
    out = []
    rs, cs = ref_side.sigs.get(path), cand_side.sigs.get(path)
    if rs != cs:
        detail = f"reference: {rs}\n  candidate: {cs}"
        out.append(("SIGNATURE", f"{kind} {show(path)}", detail))
    if ref_side.provided.get(path) and not cand_side.provided.get(path, False):
        detail = "the reference has a default body; the candidate does not"
        out.append(("DEFAULT", show(path), detail))
    return out


def report(ref, cand, label):
    """Prints the comparison of `cand` against `ref`; returns True on a
    match."""
    problems, infos, (items, impls) = diff(ref, cand)
    print(f"== {label}")
    for side, api in (("reference", ref), ("candidate", cand)):
        top = api.top
        print(f"   {side}: {top.name} from {top.file} (format {top.version})")
    for other in cand.crates[1:]:
        print(f"   the candidate glob re-exports {other.name}: followed into {other.file}")
    for tag, what, detail in problems:
        print(f"{tag:9} {what}")
        if detail:
            print("  " + detail)
    for info in infos:
        print(f"info      {info}")
    verdict = "MATCHES" if not problems else "DIFFERS"
    print(
        f"-- {label}: {verdict}: {items} items and {impls} trait impls of the "
        f"reference checked; {len(problems)} differences; {len(infos)} notes"
    )
    return not problems


def self_check(path):
    """Proves that the comparison can fail with the installed nightly's
    format: the reference must match itself, and must not match a copy in
    which one method lost `&self`, one method was renamed and one trait
    implementation was removed."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    clean = Crate(path, json.loads(text))
    if diff(Api(clean, {}), Api(Crate(path, json.loads(text)), {}))[0]:
        raise ApiError("self-check: the reference does not match itself")

    doc = json.loads(text)
    mutant = Crate(path + " (mutated)", doc)
    methods = inherent_methods(Api(mutant, {}))
    if len(methods) < 2:
        raise ApiError("self-check: fewer than two inherent methods found")
    changed, renamed = methods[0], methods[1]
    _, body = split_inner(doc["index"][changed])
    inputs = field(body, "sig", "decl")["inputs"]
    if inputs and inputs[0][0] == "self":
        inputs.pop(0)
    else:
        inputs.insert(0, ["self", {"generic": "Self"}])
    doc["index"][renamed]["name"] += "_renamed"
    for ident, item in list(doc["index"].items()):
        kind, body = split_inner(item)
        if kind == "impl" and body.get("trait") and not body.get("blanket_impl"):
            if not body.get("is_synthetic", body.get("synthetic")):
                del doc["index"][ident]
                break

    problems, _, _ = diff(Api(clean, {}), Api(Crate(path, doc), {}))
    tags = sorted({tag for tag, _, _ in problems})
    if tags != ["IMPL", "MISSING", "SIGNATURE"]:
        raise ApiError(f"self-check: the mutated copy gave {tags or 'no differences'}")
    print(f"self-check: {path}: a match with itself, and 3 planted differences found")


def inherent_methods(api):
    """Ids of the functions in inherent impls of the public types."""
    out = []
    for crate, ident, kind in api.items.values():
        if kind not in ("struct", "enum"):
            continue
        _, body = split_inner(crate.item(ident))
        for impl_id in body.get("impls", []):
            impl = crate.item(impl_id)
            if impl is None:
                continue
            _, ib = split_inner(impl)
            if ib.get("trait") is not None:
                continue
            for m in ib.get("items", []):
                kind_m, _ = split_inner(crate.item(m))
                if kind_m == "function" and str(m) not in out:
                    out.append(str(m))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reference", required=True)
    parser.add_argument("--candidate")
    parser.add_argument("--extern", action="append", default=[], metavar="NAME=JSON")
    parser.add_argument("--label", default="public API")
    parser.add_argument(
        "--self-check",
        action="store_true",
        help="only check that the comparison finds planted differences",
    )
    args = parser.parse_args()
    try:
        if args.self_check:
            self_check(args.reference)
            return 0
        if not args.candidate:
            parser.error("--candidate is required")
        externs = {}
        for spec in args.extern:
            name, _, path = spec.partition("=")
            externs[name] = load(path)
        ref = Api(load(args.reference), {})
        cand = Api(load(args.candidate), externs)
        ok = report(ref, cand, args.label)
    except ApiError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
