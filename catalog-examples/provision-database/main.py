#!/usr/bin/env python3
"""provision-database: turns a database request into a reviewed plan.

Validates the request against platform policy, renders the Terraform and SQL that would
be applied into the log, and writes a plan (resources, estimated monthly cost, connection
string template, warnings) to $SHELF_OUTPUT. It does NOT provision anything: the sandbox
has no network and no cloud credentials. Python standard library only.
"""

import json
import os
import re
import sys

# ---------------------------------------------------------------------------- policy

ENGINES = {
    "postgres": {
        "label": "PostgreSQL",
        "versions": ["17", "16", "15", "14"],
        "default_version": "16",
        "port": 5432,
        "family": "postgres{v}",
        "scheme": "postgresql",
        "jdbc": "jdbc:postgresql://{host}:{port}/{db}?sslmode=require",
        "url": "postgresql://{{username}}:{{password}}@{host}:{port}/{db}?sslmode=require",
    },
    "mysql": {
        "label": "MySQL",
        "versions": ["8.4", "8.0"],
        "default_version": "8.4",
        "port": 3306,
        "family": "mysql{v}",
        "scheme": "mysql",
        "jdbc": "jdbc:mysql://{host}:{port}/{db}?sslMode=REQUIRED",
        "url": "mysql://{{username}}:{{password}}@{host}:{port}/{db}?ssl-mode=REQUIRED",
    },
}

# Illustrative on-demand list prices (USD, single-AZ), in the style of a public cloud's
# managed database offer. They are estimates for comparing options, not a quote.
SIZES = {
    "small": {"class": "db.t4g.medium", "vcpu": 2, "memory_gib": 4, "hourly": 0.065},
    "medium": {"class": "db.m7g.large", "vcpu": 2, "memory_gib": 8, "hourly": 0.168},
    "large": {"class": "db.m7g.xlarge", "vcpu": 4, "memory_gib": 16, "hourly": 0.336},
    "xlarge": {"class": "db.m7g.2xlarge", "vcpu": 8, "memory_gib": 32, "hourly": 0.672},
}
HOURS_PER_MONTH = 730
STORAGE_PER_GB_MONTH = 0.115    # gp3 storage
BACKUP_PER_GB_MONTH = 0.095     # snapshot storage beyond the free allowance
BACKUP_DAILY_CHANGE = 0.05      # assumed share of the data that changes per day

EXTENSIONS = ["pg_stat_statements", "pgcrypto", "uuid-ossp", "citext", "pg_trgm", "postgis"]
ROLES = ["readonly", "readwrite", "admin"]
RESERVED_USERS = {
    "postgres", "root", "admin", "administrator", "rdsadmin", "mysql", "sys", "master",
    "public", "pg_monitor", "replication", "superuser", "dbmaster",
}
NAME = re.compile(r"^[a-z][a-z0-9_]{2,39}$")
TEAM = re.compile(r"^[a-z][a-z0-9-]{1,39}$")
USERNAME = re.compile(r"^[a-z][a-z0-9_]{1,31}$")
ADMIN_SECRET = "/run/secrets/DB_ADMIN_PASSWORD"
EMAIL = re.compile(r"^[A-Za-z0-9.!#%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")
WINDOW = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])-([01][0-9]|2[0-3]):([0-5][0-9])$")


def progress(percent, message):
    print(f"::progress {int(percent)} {message}", flush=True)


def log(message=""):
    print(message, flush=True)


class Invalid(Exception):
    def __init__(self, errors):
        super().__init__("; ".join(errors))
        self.errors = errors


# ---------------------------------------------------------------------------- inputs

def load_request():
    path = os.environ.get("SHELF_INPUT")
    if not path:
        raise Invalid(["SHELF_INPUT is not set"])
    try:
        with open(path, encoding="utf-8") as f:
            raw = json.load(f)
    except (OSError, ValueError) as e:
        raise Invalid([f"cannot read the inputs at {path}: {e}"]) from e
    if not isinstance(raw, dict):
        raise Invalid(["the inputs are not a JSON object"])
    return raw


def is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def normalise(raw):
    """Applies defaults, checks every field and platform policy; returns (request, warnings)."""
    errors, warnings = [], []
    req = {}

    def text(key, pattern, hint, required=True):
        value = raw.get(key)
        if value is None or value == "":
            if required:
                errors.append(f"{key}: is required")
            return None
        if not isinstance(value, str) or not pattern.match(value):
            errors.append(f"{key}: {hint} (got {value!r})")
            return None
        return value

    req["name"] = text("name", NAME, "3-40 lowercase letters, digits or underscores, starting with a letter")
    req["team"] = text("team", TEAM, "a slug of lowercase letters, digits and dashes")
    req["ownerEmail"] = text("ownerEmail", EMAIL, "must be an email address")
    owner_password = raw.get("ownerPassword")
    if not isinstance(owner_password, str) or len(owner_password) < 12:
        # Never quote a secret in a message: say what is wrong, not what was given.
        errors.append("ownerPassword: is required and must be at least 12 characters")
    req["ownerPassword"] = owner_password if isinstance(owner_password, str) else ""

    def choice(key, options, default):
        value = raw.get(key, default)
        if value is None:
            value = default
        if value not in options:
            errors.append(f"{key}: must be one of {', '.join(options)} (got {value!r})")
            return default
        return value

    def flag(key, default):
        value = raw.get(key, default)
        if value is None:
            return default
        if not isinstance(value, bool):
            errors.append(f"{key}: must be true or false (got {value!r})")
            return default
        return value

    req["environment"] = choice("environment", ["dev", "staging", "prod"], "dev")
    req["engine"] = choice("engine", list(ENGINES), "postgres")
    engine = ENGINES[req["engine"]]
    req["engineVersion"] = choice("engineVersion", engine["versions"], engine["default_version"])
    req["size"] = choice("size", list(SIZES), "small")

    storage = raw.get("storageGb", 50)
    if storage is None:
        storage = 50
    if not is_int(storage) or not 20 <= storage <= 2000 or storage % 10:
        errors.append(f"storageGb: must be a whole number of GiB from 20 to 2000 in steps of 10 (got {storage!r})")
        storage = 50
    req["storageGb"] = storage

    req["highAvailability"] = flag("highAvailability", False)
    req["backups"] = flag("backups", True)
    prod = req["environment"] == "prod"

    if req["backups"]:
        retention = raw.get("retentionDays", 7)
        if retention is None:
            retention = 7
        if not is_int(retention) or not 1 <= retention <= 35:
            errors.append(f"retentionDays: must be a whole number of days from 1 to 35 (got {retention!r})")
            retention = 7
        elif prod and retention < 7:
            errors.append(f"retentionDays: production databases keep backups at least 7 days (got {retention})")
        req["retentionDays"] = retention
        window = raw.get("backupWindow") or "02:00-03:00"
        m = WINDOW.match(window) if isinstance(window, str) else None
        if not m:
            errors.append(f"backupWindow: must look like 02:00-03:00 (got {window!r})")
        else:
            start = int(m[1]) * 60 + int(m[2])
            end = int(m[3]) * 60 + int(m[4])
            if (end - start) % (24 * 60) < 30:
                errors.append(f"backupWindow: must last at least 30 minutes (got {window})")
        req["backupWindow"] = window
    else:
        req["retentionDays"] = 0
        if prod:
            errors.append("backups: production databases must have automated backups")
        elif raw.get("acceptNoBackups") is not True:
            errors.append("acceptNoBackups: turning backups off must be acknowledged")
        else:
            warnings.append("Backups are off: data lost to a mistake or failure cannot be recovered.")

    extensions = []
    if req["engine"] == "postgres":
        value = raw.get("extensions", ["pg_stat_statements"])
        if value is None:
            value = ["pg_stat_statements"]
        if not isinstance(value, list) or any(e not in EXTENSIONS for e in value):
            errors.append(f"extensions: must be a list of {', '.join(EXTENSIONS)} (got {value!r})")
        else:
            extensions = list(dict.fromkeys(value))
            if "pg_stat_statements" not in extensions:
                warnings.append("pg_stat_statements is not enabled: the query dashboards will be empty.")
    elif raw.get("extensions"):
        warnings.append("extensions are a PostgreSQL feature and were ignored for MySQL.")
    req["extensions"] = extensions
    req["characterSet"] = (choice("characterSet", ["utf8mb4", "latin1"], "utf8mb4")
                           if req["engine"] == "mysql" else None)

    users = raw.get("users") or []
    if not isinstance(users, list):
        errors.append("users: must be a list")
        users = []
    if len(users) > 10:
        errors.append(f"users: at most 10 additional users (got {len(users)})")
    seen = set()
    clean_users = []
    owner_role = f"{req['name']}_owner" if req["name"] else None
    for i, user in enumerate(users[:10]):
        where = f"users[{i}]"
        if not isinstance(user, dict):
            errors.append(f"{where}: must be an object with username and role")
            continue
        username, role = user.get("username"), user.get("role", "readonly")
        if not isinstance(username, str) or not USERNAME.match(username):
            errors.append(f"{where}.username: 2-32 lowercase letters, digits or underscores, starting with a letter (got {username!r})")
            continue
        if username in RESERVED_USERS or username.startswith(("pg_", "rds")):
            errors.append(f"{where}.username: {username!r} is reserved")
            continue
        if username == owner_role:
            errors.append(f"{where}.username: {username!r} is the owner role, which is always created")
            continue
        if username in seen:
            errors.append(f"{where}.username: {username!r} appears twice")
            continue
        if role not in ROLES:
            errors.append(f"{where}.role: must be one of {', '.join(ROLES)} (got {role!r})")
            continue
        seen.add(username)
        note = user.get("note")
        clean_users.append({"username": username, "role": role,
                            "note": note if isinstance(note, str) else ""})
    req["users"] = clean_users
    purpose = raw.get("purpose")
    req["purpose"] = purpose.strip() if isinstance(purpose, str) else ""

    if errors:
        raise Invalid(errors)

    # Advice that does not block the request.
    if prod and not req["highAvailability"]:
        warnings.append("Production without high availability: a zone outage means a restore from backup.")
    if prod and req["size"] == "small":
        warnings.append("Small (burstable) instances can run out of CPU credits under sustained production load.")
    if not prod and req["highAvailability"]:
        warnings.append(f"High availability doubles the cost; it is rarely needed in {req['environment']}.")
    if not req["purpose"]:
        warnings.append("No purpose given: reviewers may ask what the database is for.")
    if req["engine"] == "mysql" and req["characterSet"] == "latin1":
        warnings.append("latin1 cannot store most non-Western text or emoji; utf8mb4 is recommended.")
    return req, warnings


# ---------------------------------------------------------------------------- rendering

def hcl(value):
    """A Terraform string literal, with interpolation sequences escaped."""
    escaped = (value.replace("\\", "\\\\").replace('"', '\\"')
               .replace("${", "$${").replace("%{", "%%{").replace("\n", "\\n"))
    return f'"{escaped}"'


def names_for(req):
    slug = re.sub(r"[_-]+", "-", req["name"]).strip("-")
    identifier = f"{req['environment']}-{req['team']}-{slug}"[:63].rstrip("-")
    return {
        "identifier": identifier,
        "tf": req["name"],
        "host": f"{slug}.{req['environment']}.db.internal",
        "secret": f"db/{req['environment']}/{req['team']}/{req['name']}",
        "owner_role": f"{req['name']}_owner",
    }


def render_terraform(req, n, job_id):
    engine = ENGINES[req["engine"]]
    size = SIZES[req["size"]]
    family = engine["family"].format(v=req["engineVersion"])
    tags = {
        "team": req["team"], "environment": req["environment"], "owner": req["ownerEmail"],
        "managed-by": "shelf", "shelf-job": job_id, "catalog-item": "provision-database",
    }
    tag_lines = "\n".join(f"    {k:<12} = {hcl(v)}" for k, v in tags.items())
    params = []
    if req["engine"] == "postgres":
        preload = [e for e in req["extensions"] if e == "pg_stat_statements"]
        if preload:
            params.append(("shared_preload_libraries", ",".join(preload), "pending-reboot"))
        params.append(("log_min_duration_statement", "1000", "immediate"))
        params.append(("rds.force_ssl", "1", "immediate"))
    else:
        params.append(("character_set_server", req["characterSet"], "immediate"))
        params.append(("collation_server", "utf8mb4_0900_ai_ci" if req["characterSet"] == "utf8mb4"
                       else "latin1_swedish_ci", "immediate"))
        params.append(("require_secure_transport", "1", "immediate"))
        params.append(("slow_query_log", "1", "immediate"))
    param_blocks = "\n".join(
        f'  parameter {{\n    name         = {hcl(k)}\n    value        = {hcl(v)}\n'
        f'    apply_method = {hcl(m)}\n  }}' for k, v, m in params)
    t = n["tf"]
    user_passwords = "".join(
        f'\nresource "random_password" "{t}_{u["username"]}" {{\n  length  = 32\n  special = false\n}}\n'
        for u in req["users"])
    user_entries = "".join(
        f'      {u["username"]} = random_password.{t}_{u["username"]}.result\n' for u in req["users"])
    users_block = f"    users = {{\n{user_entries}    }}\n" if user_entries else ""
    backup = (f"  backup_retention_period = {req['retentionDays']}\n"
              f"  backup_window           = {hcl(req['backupWindow'])}\n"
              if req["backups"] else "  backup_retention_period = 0\n")
    prod = req["environment"] == "prod"
    return f'''# Rendered by Shelf job {job_id}. Review before applying; nothing was applied.
resource "random_password" "{t}_master" {{
  length  = 32
  special = false
}}
{user_passwords}
resource "aws_secretsmanager_secret" "{t}" {{
  name = {hcl(n["secret"])}
  tags = {{
{tag_lines}
  }}
}}

resource "aws_secretsmanager_secret_version" "{t}" {{
  secret_id = aws_secretsmanager_secret.{t}.id
  secret_string = jsonencode({{
    username = "dbmaster"
    password = random_password.{t}_master.result
    host     = {hcl(n["host"])}
    port     = {engine["port"]}
    dbname   = {hcl(req["name"])}
{users_block}  }})
}}

resource "aws_db_parameter_group" "{t}" {{
  name   = {hcl(n["identifier"])}
  family = {hcl(family)}
{param_blocks}
}}

resource "aws_db_instance" "{t}" {{
  identifier              = {hcl(n["identifier"])}
  engine                  = {hcl(req["engine"])}
  engine_version          = {hcl(req["engineVersion"])}
  instance_class          = {hcl(size["class"])}
  allocated_storage       = {req["storageGb"]}
  max_allocated_storage   = {req["storageGb"] * 2}
  storage_type            = "gp3"
  storage_encrypted       = true
  db_name                 = {hcl(req["name"])}
  username                = "dbmaster"
  password                = random_password.{t}_master.result
  parameter_group_name    = aws_db_parameter_group.{t}.name
  db_subnet_group_name    = "{req['environment']}-databases"
  vpc_security_group_ids  = [data.aws_security_group.{req['environment']}_databases.id]
  multi_az                = {str(req["highAvailability"]).lower()}
{backup}  maintenance_window      = "sun:03:30-sun:04:30"
  auto_minor_version_upgrade = true
  deletion_protection     = {str(prod).lower()}
  skip_final_snapshot     = {str(not prod).lower()}
  performance_insights_enabled = true
  tags = {{
{tag_lines}
  }}
}}

data "aws_security_group" "{req['environment']}_databases" {{
  name = "{req['environment']}-databases"
}}
'''


def render_sql(req, n):
    db, owner = req["name"], n["owner_role"]
    lines = [f"-- Run as dbmaster once the instance is up; user passwords are in the secret {n['secret']}."]
    if req["engine"] == "postgres":
        lines.append("-- A psql script: pass each password as a variable, psql -v <user>_password=...")
        lines += [
            f"CREATE ROLE {owner} LOGIN PASSWORD {sql_literal(req['ownerPassword'])};",
            f"ALTER DATABASE {db} OWNER TO {owner};",
            f"\\connect {db}",
            f"ALTER SCHEMA public OWNER TO {owner};",
            "REVOKE ALL ON SCHEMA public FROM PUBLIC;",
            f"REVOKE ALL ON DATABASE {db} FROM PUBLIC;",
        ]
        for ext in req["extensions"]:
            lines.append(f'CREATE EXTENSION IF NOT EXISTS "{ext}";')
        for u in req["users"]:
            name, role = u["username"], u["role"]
            lines.append(f"-- {name}: {role}" + (f" ({u['note']})" if u["note"] else ""))
            lines.append(f"CREATE ROLE {name} LOGIN PASSWORD :'{name}_password';")
            lines.append(f"GRANT CONNECT ON DATABASE {db} TO {name};")
            lines.append(f"GRANT USAGE ON SCHEMA public TO {name};")
            if role == "readonly":
                privileges = "SELECT"
            elif role == "readwrite":
                privileges = "SELECT, INSERT, UPDATE, DELETE"
            else:
                privileges = "ALL PRIVILEGES"
                lines.append(f"GRANT {owner} TO {name};")
            lines.append(f"GRANT {privileges} ON ALL TABLES IN SCHEMA public TO {name};")
            lines.append(f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public "
                         f"GRANT {privileges} ON TABLES TO {name};")
            if role != "readonly":
                lines.append(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {name};")
                lines.append(f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public "
                             f"GRANT USAGE, SELECT ON SEQUENCES TO {name};")
    else:
        collation = "utf8mb4_0900_ai_ci" if req["characterSet"] == "utf8mb4" else "latin1_swedish_ci"
        lines.append(f"ALTER DATABASE `{db}` CHARACTER SET {req['characterSet']} COLLATE {collation};")
        lines.append(f"CREATE USER '{owner}'@'%' IDENTIFIED BY {sql_literal(req['ownerPassword'])} REQUIRE SSL;")
        lines.append(f"GRANT ALL PRIVILEGES ON `{db}`.* TO '{owner}'@'%';")
        for u in req["users"]:
            name, role = u["username"], u["role"]
            privileges = {"readonly": "SELECT, SHOW VIEW",
                          "readwrite": "SELECT, INSERT, UPDATE, DELETE, EXECUTE, SHOW VIEW",
                          "admin": "ALL PRIVILEGES"}[role]
            lines.append(f"-- {name}: {role}" + (f" ({u['note']})" if u["note"] else ""))
            lines.append(f"CREATE USER '{name}'@'%' IDENTIFIED BY '<{name}_password>' REQUIRE SSL;")
            lines.append(f"GRANT {privileges} ON `{db}`.* TO '{name}'@'%';")
    return "\n".join(lines) + "\n"


def sql_literal(text):
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def read_admin_password():
    """The platform's server admin password: the named secret DB_ADMIN_PASSWORD, mounted by Shelf."""
    try:
        with open(ADMIN_SECRET, encoding="utf-8") as f:
            return f.read().strip()
    except OSError as e:
        raise Invalid([f"the secret DB_ADMIN_PASSWORD is not mounted at {ADMIN_SECRET} ({e.strerror})"]) from e


def r(x):
    return round(x, 2)


def estimate_cost(req):
    size = SIZES[req["size"]]
    ha = 2 if req["highAvailability"] else 1
    instance = size["hourly"] * HOURS_PER_MONTH * ha
    storage = req["storageGb"] * STORAGE_PER_GB_MONTH * ha
    # Snapshots: a full copy plus the daily changes over the retention period; storage up
    # to the provisioned size is free.
    if req["backups"]:
        backup_gb = req["storageGb"] * (1 + BACKUP_DAILY_CHANGE * req["retentionDays"])
        billable_backup_gb = max(0.0, backup_gb - req["storageGb"])
    else:
        backup_gb = billable_backup_gb = 0.0
    backups = billable_backup_gb * BACKUP_PER_GB_MONTH
    total = instance + storage + backups
    return {
        "currency": "USD",
        "total": r(total),
        "breakdown": {"instance": r(instance), "storage": r(storage), "backups": r(backups)},
        "assumptions": [
            f"{size['class']} at ${size['hourly']}/hour, {HOURS_PER_MONTH} hours/month"
            + (", doubled for the high-availability standby" if ha == 2 else ""),
            f"{req['storageGb']} GiB gp3 storage at ${STORAGE_PER_GB_MONTH}/GiB-month"
            + (", doubled for the standby" if ha == 2 else ""),
            (f"snapshots of about {backup_gb:.0f} GiB ({BACKUP_DAILY_CHANGE:.0%} daily change over "
             f"{req['retentionDays']} days); the first {req['storageGb']} GiB are free, then "
             f"${BACKUP_PER_GB_MONTH}/GiB-month") if req["backups"] else "no backups",
            "Illustrative list prices, excluding data transfer, I/O and taxes.",
        ],
    }


def build_plan(req, warnings, job_id):
    engine = ENGINES[req["engine"]]
    size = SIZES[req["size"]]
    n = names_for(req)
    t = n["tf"]
    resources = [
        {"type": "random_password", "name": f"{t}_master", "action": "create"},
        {"type": "aws_secretsmanager_secret", "name": t, "action": "create", "secret": n["secret"]},
        {"type": "aws_secretsmanager_secret_version", "name": t, "action": "create"},
        {"type": "aws_db_parameter_group", "name": t, "action": "create",
         "family": engine["family"].format(v=req["engineVersion"])},
        {"type": "aws_db_instance", "name": t, "action": "create", "identifier": n["identifier"],
         "instanceClass": size["class"], "multiAz": req["highAvailability"]},
    ]
    if req["engine"] == "postgres":
        resources.append({"type": "sql_role", "name": n["owner_role"], "action": "create", "role": "owner"})
    for u in req["users"]:
        resources.append({"type": "random_password", "name": f"{t}_{u['username']}", "action": "create"})
        resources.append({"type": "sql_user", "name": u["username"], "action": "create", "role": u["role"]})
    resources += [{"type": "sql_extension", "name": e, "action": "create"} for e in req["extensions"]]
    fmt = {"host": n["host"], "port": engine["port"], "db": req["name"]}
    return n, {
        "dryRun": True,
        "valid": True,
        "note": "Plan only: nothing was provisioned. A platform engineer reviews and applies it.",
        "summary": (f"{engine['label']} {req['engineVersion']} '{req['name']}' for team {req['team']} "
                    f"in {req['environment']}: {size['class']} ({size['vcpu']} vCPU, {size['memory_gib']} GiB), "
                    f"{req['storageGb']} GiB, "
                    + ("multi-AZ, " if req["highAvailability"] else "single-AZ, ")
                    + (f"backups {req['retentionDays']} days" if req["backups"] else "no backups")),
        "request": req,
        "instance": {
            "identifier": n["identifier"], "engine": req["engine"], "engineVersion": req["engineVersion"],
            "instanceClass": size["class"], "vcpu": size["vcpu"], "memoryGiB": size["memory_gib"],
            "storageGb": req["storageGb"], "maxStorageGb": req["storageGb"] * 2,
            "highAvailability": req["highAvailability"],
            "backups": {"enabled": req["backups"], "retentionDays": req["retentionDays"],
                        "window": req.get("backupWindow")},
            "deletionProtection": req["environment"] == "prod",
        },
        "resources": resources,
        "estimatedMonthlyCost": estimate_cost(req),
        "connection": {
            "host": n["host"],
            "port": engine["port"],
            "database": req["name"],
            "secret": n["secret"],
            "urlTemplate": engine["url"].format(**fmt),
            "jdbcTemplate": engine["jdbc"].format(**fmt),
            "users": ["dbmaster"] + [u["username"] for u in req["users"]],
        },
        "warnings": warnings,
    }


# ---------------------------------------------------------------------------- main

def main():
    out_path = os.environ.get("SHELF_OUTPUT")
    job_id = os.environ.get("SHELF_JOB_ID", "local")
    try:
        if not out_path:
            raise Invalid(["SHELF_OUTPUT is not set"])
        progress(5, "reading the request")
        raw = load_request()
        progress(15, "validating against platform policy")
        req, warnings = normalise(raw)
        log(f"request is valid: {req['engine']} {req['engineVersion']} '{req['name']}' "
            f"for {req['team']} ({req['environment']})")
        for w in warnings:
            log(f"warning: {w}")

        progress(40, "rendering Terraform")
        n, plan = build_plan(req, warnings, job_id)
        terraform = render_terraform(req, n, job_id)
        log("\n===== Terraform (would be applied; not applied) =====")
        log(terraform)

        progress(70, "rendering SQL")
        sql = render_sql(req, n)
        log("===== SQL (would be run after the instance is up; not run) =====")
        log(sql)

        progress(80, "checking the platform admin credentials")
        admin_password = read_admin_password()
        log("===== How the platform team applies it =====")
        log(f"  psql \"postgresql://dbmaster:{admin_password}@{n['identifier']}.internal:5432/postgres\" -f plan.sql"
            if req["engine"] == "postgres" else
            f"  mysql --user=dbmaster --password='{admin_password}' --host={n['identifier']}.internal < plan.sql")
        log("  (Shelf masks secrets in this log: the admin password above shows as ********.)\n")

        progress(90, "estimating cost")
        cost = plan["estimatedMonthlyCost"]
        log(f"===== Estimated monthly cost: ${cost['total']:.2f} {cost['currency']} =====")
        for k, v in cost["breakdown"].items():
            log(f"  {k:<9} ${v:>10.2f}")
        for a in cost["assumptions"]:
            log(f"  - {a}")
        log(f"\nConnection string template: {plan['connection']['urlTemplate']}")
        log("\nPLAN ONLY: nothing was provisioned.")

        plan["terraform"] = terraform
        plan["sql"] = sql
        with open(out_path, "w", encoding="utf-8") as f:
            json.dump(plan, f, indent=2)
        progress(100, "plan ready")
        return 0
    except Invalid as e:
        print("error: the request is not valid:", file=sys.stderr)
        for err in e.errors:
            print(f"  - {err}", file=sys.stderr)
        sys.stderr.flush()
        if out_path:
            try:
                with open(out_path, "w", encoding="utf-8") as f:
                    json.dump({"dryRun": True, "valid": False, "errors": e.errors}, f, indent=2)
            except OSError:
                pass
        return 1


if __name__ == "__main__":
    sys.exit(main())
