#!/usr/bin/env python3
"""Layer rules the compiler cannot see (run by `just lint`).

1. No route module imports another route module: what two handlers share lives in
   portal-usecases, crate::views or a non-route module of the server.
2. No handler acts as the system: SystemScope and Actor::System belong to start-up code.
"""
import pathlib
import re
import sys

SRC = pathlib.Path(__file__).resolve().parent.parent / "crates" / "server" / "src"
# Integration infrastructure that route modules may share: the key extractor, the query parser,
# the idempotency middleware and the helpers in integrations/mod.rs.
SHARED = {"auth", "query", "idempotency", "company_of", "timezone", "any_phone", "self"}


def route_modules(folder):
    return {p.stem for p in (SRC / folder).glob("*.rs") if p.stem != "mod"} - SHARED


def imported(path, prefix):
    """Every name imported as `prefix::name` or inside `prefix::{…}` (nested groups flattened)."""
    text = re.sub(r"//[^\n]*", "", path.read_text())
    names = set(re.findall(prefix + r"::(\w+)", text))
    for group in re.findall(prefix + r"::\{([^;]*)\};", text):
        names |= set(re.findall(r"(?:^|[{,\s])(\w+)(?=\s*(?:::|,|\}|$))", group))
    return names


failures = []
routes, integrations = route_modules("routes"), route_modules("integrations")
for path in sorted((SRC / "routes").glob("*.rs")) + sorted((SRC / "integrations").glob("*.rs")):
    if path.stem == "mod":
        continue
    folder = path.parent.name
    siblings = routes if folder == "routes" else integrations
    bad = {f"routes/{n}" for n in imported(path, r"\broutes") & routes}
    bad |= {f"integrations/{n}" for n in imported(path, r"\bintegrations") & integrations}
    bad |= {f"{folder}/{n}" for n in imported(path, r"\bsuper") & siblings}
    for name in sorted(bad - {f"{folder}/{path.stem}"}):
        failures.append(f"{folder}/{path.name} imports the route module {name}")
    if re.search(r"SystemScope|Actor::System", path.read_text()):
        failures.append(f"{folder}/{path.name} acts as the system (only start-up code may)")

for f in failures:
    print("check-layers:", f)
if failures:
    sys.exit(1)
print("layers ok")
