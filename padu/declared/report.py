"""What a configuration's declared applications yield, read against their sources.

``padu check-config`` prints it: an integrator sees each type, field, link and rule as Padu
will serve it, or the file, key and reason that stops start-up.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from padu.config import Config
from padu.declared.declaration import ApplicationDecl, TypeDecl


def describe(config: Config, kinds: Mapping[tuple[str, str], str]) -> str:
    """The declared applications as Padu serves them, one line per fact."""
    lines = [f"{config.file}: region {config.region.code} ({config.region.name})", "sources:"]
    for name, source in config.sources.items():
        where = "embedded PostgreSQL" if source.embedded else source.kind
        lines.append(f"  {name}: {source.kind}, {where}")
    if not config.applications:
        lines.append("applications: none declared")
    for app in config.applications:
        lines.append(f"application {app.name} (source {app.source}): {app.description}")
        for declared in app.types:
            lines.extend(_type(declared, kinds))
    return "\n".join(lines)


def _type(declared: TypeDecl, kinds: Mapping[tuple[str, str], str]) -> list[str]:
    readers = ", ".join(sorted(role.value for role in declared.read))
    endpoint = declared.endpoint
    if endpoint is None:
        origin = f"table {declared.table}"
    else:
        batch = f", batch POST {endpoint.batch}" if endpoint.batch else ", no batch"
        origin = f"endpoint GET {endpoint.path}{batch}"
    lines = [
        f"  type {declared.name} from {origin}: key {declared.key}, "
        f"pages in {declared.order} order; read by {readers}",
    ]
    for field in declared.fields:
        personal = (
            ", personal (audited; masked or hidden as the rules say)" if field.personal else ""
        )
        if endpoint is None:
            where = f"column {field.column}"
        else:
            asked = f" (parameter {field.param})" if field.param else ""
            where = f"path {field.column}{asked}"
        readers_of = (
            f", read by {', '.join(sorted(r.value for r in field.read))}" if field.read else ""
        )
        lines.append(
            f"    {field.name}: {kinds[(declared.name, field.name)]} <- {where}"
            f"{personal}{readers_of}"
        )
    for link in declared.links:
        back = f", and {link.to}.{link.reverse} lists them" if link.reverse else ""
        lines.append(f"    {link.name}: {link.to} by {link.by}{back}")
    rules = ", ".join(
        f"{role.value}: {rule}"
        for role, rule in sorted(declared.rows.items(), key=lambda r: r[0].value)
    )
    lines.append(f"    rows: {rules}")
    if declared.filters:
        lines.append(f"    filters: {', '.join(declared.filters)}")
    if declared.list_field:
        lines.append(f"    Query.{declared.list_field}(first, after, filter)")
    return lines


def playground_example(apps: Sequence[ApplicationDecl]) -> str:
    """A playground operation spanning the core systems and every declared list of a resident
    (``__YEAR__`` stands for the current year); empty when nothing links to residents."""
    lists = []
    for app in apps:
        for declared in app.types:
            for link in declared.links:
                if link.to == "Resident" and link.reverse is not None:
                    shown = " ".join(f.name for f in declared.fields if f.name != link.by)
                    lists.append(
                        f"    {link.reverse}(first: 3) {{ totalCount nodes {{ {shown} }} }}"
                        f"  # {app.name}"
                    )
    if not lists:
        return ""
    return (
        "\n# One resident across the core systems and the applications declared in padu.toml.\n"
        "query ResidentAcrossApplications($nik: NIK!) {\n  resident(nik: $nik) {\n"
        "    fullName\n    family { members { fullName } }\n"
        + "\n".join(lists)
        + "\n    serviceRequests(first: 2) { nodes { ticketNumber assignee { fullName\n"
        "      performance(year: __YEAR__, quarter: 1) { predicate }\n"
        "      learning(year: __YEAR__) { jpCompleted compliant } } } }\n  }\n}\n"
    )
