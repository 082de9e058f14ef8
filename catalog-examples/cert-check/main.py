#!/usr/bin/env python3
"""cert-check: TLS certificate expiry for a list of hosts.

For each host: resolve it, connect, complete a TLS handshake with SNI, verify the chain
and the hostname against the system trust store, and read the certificate's dates,
issuer and names. A certificate that fails verification is read again without
verification, so an expired or self-signed certificate still shows its dates.

Outputs one result per host. Exit status 1 when any certificate is expiring, expired,
not yet valid or untrusted, or (with failOnError) a host could not be checked.
Python standard library only; needs `network: egress`.
"""

import concurrent.futures
import datetime as dt
import json
import os
import re
import socket
import ssl
import sys
import tempfile

HOSTNAME = re.compile(
    r"^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$"
)
MAX_HOSTS = 50
MAX_WORKERS = 8
MAX_SANS = 20
FAILING = {"expiring", "expired", "not-yet-valid", "untrusted"}


class InputError(Exception):
    pass


def progress(percent, message):
    print(f"::progress {int(percent)} {message}", flush=True)


def log(message=""):
    print(message, flush=True)


def load_inputs():
    path = os.environ.get("SHELF_INPUT")
    if not path:
        raise InputError("SHELF_INPUT is not set")
    try:
        with open(path, encoding="utf-8") as f:
            raw = json.load(f)
    except (OSError, ValueError) as e:
        raise InputError(f"cannot read the inputs at {path}: {e}") from e
    if not isinstance(raw, dict):
        raise InputError("the inputs are not a JSON object")

    hosts = raw.get("hosts")
    if not isinstance(hosts, list) or not hosts:
        raise InputError("hosts: give at least one hostname")
    if len(hosts) > MAX_HOSTS:
        raise InputError(f"hosts: at most {MAX_HOSTS} hostnames (got {len(hosts)})")

    def integer(key, default, low, high):
        value = raw.get(key, default)
        if value is None:
            value = default
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value) \
                or not low <= value <= high:
            raise InputError(f"{key}: must be a whole number from {low} to {high} (got {value!r})")
        return int(value)

    port = integer("port", 443, 1, 65535)
    warn_days = integer("warnDays", 30, 0, 365)
    timeout = raw.get("timeoutSeconds", 10)
    if timeout is None:
        timeout = 10
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 1 <= timeout <= 30:
        raise InputError(f"timeoutSeconds: must be a number from 1 to 30 (got {timeout!r})")
    fail_on_error = raw.get("failOnError", True)
    if fail_on_error is None:
        fail_on_error = True
    if not isinstance(fail_on_error, bool):
        raise InputError(f"failOnError: must be true or false (got {fail_on_error!r})")

    # Normalise, but keep bad entries: they are reported per host, not fatal for the job.
    seen, clean = set(), []
    for h in hosts:
        name = h.strip().lower().rstrip(".") if isinstance(h, str) else h
        key = name if isinstance(name, str) else repr(name)
        if key in seen:
            continue
        seen.add(key)
        clean.append(name)
    return clean, port, warn_days, float(timeout), fail_on_error


def iso(seconds):
    return dt.datetime.fromtimestamp(seconds, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def name_field(rdns, key):
    """The first value of `key` (e.g. commonName) in a decoded subject or issuer."""
    for rdn in rdns or ():
        for k, v in rdn:
            if k == key:
                return v
    return None


def decode_der(der):
    """Decodes a DER certificate with the standard library's own (private) decoder."""
    decoder = getattr(getattr(ssl, "_ssl", None), "_test_decode_cert", None)
    if decoder is None:
        return None
    # The decoder reads a PEM file; /tmp is the only writable place in the sandbox.
    with tempfile.NamedTemporaryFile("w", suffix=".pem", dir=tempfile.gettempdir()) as f:
        f.write(ssl.DER_cert_to_PEM_cert(der))
        f.flush()
        try:
            return decoder(f.name)
        except (ssl.SSLError, ValueError):
            return None


def handshake(host, port, timeout, verify):
    """Returns (decoded certificate or None, TLS version, peer address)."""
    context = ssl.create_default_context()
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    with socket.create_connection((host, port), timeout=timeout) as sock:
        address = sock.getpeername()[0]
        with context.wrap_socket(sock, server_hostname=host) as tls:
            cert = tls.getpeercert() if verify else None
            if not cert:
                der = tls.getpeercert(binary_form=True)
                cert = decode_der(der) if der else None
            return cert, tls.version(), address


def check(host, port, timeout, warn_days):
    result = {
        "host": host, "port": port, "status": "error", "daysLeft": None, "notBefore": None,
        "notAfter": None, "issuer": None, "issuerCommonName": None, "subject": None, "subjectAltNames": [],
        "serialNumber": None, "tlsVersion": None, "address": None, "verified": False,
        "verifyError": None, "error": None,
    }

    def fail(kind, message):
        result["error"] = {"kind": kind, "message": message}
        return result

    if not isinstance(host, str) or not HOSTNAME.match(host):
        return fail("input", f"not a hostname: {host!r}")
    try:
        socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as e:
        return fail("dns", f"DNS lookup failed: {e.strerror or e}")
    except UnicodeError as e:
        return fail("input", f"not a valid DNS name: {e}")

    try:
        try:
            cert, version, address = handshake(host, port, timeout, verify=True)
            result["verified"] = True
        except ssl.SSLCertVerificationError as e:
            result["verifyError"] = e.verify_message or str(e)
            cert, version, address = handshake(host, port, timeout, verify=False)
    except (socket.timeout, TimeoutError):
        return fail("timeout", f"no TLS answer within {timeout:g} s")
    except ConnectionRefusedError:
        return fail("connect", f"connection refused on port {port}")
    except ssl.SSLError as e:
        return fail("tls", f"TLS handshake failed: {e.reason or e}")
    except OSError as e:
        return fail("connect", f"connection failed: {e.strerror or e}")

    result["tlsVersion"] = version
    result["address"] = address
    if not cert or "notAfter" not in cert:
        result["status"] = "untrusted" if not result["verified"] else "error"
        return fail("decode", "could not read the certificate's dates")

    not_after = ssl.cert_time_to_seconds(cert["notAfter"])
    not_before = ssl.cert_time_to_seconds(cert["notBefore"]) if "notBefore" in cert else None
    now = dt.datetime.now(dt.timezone.utc).timestamp()
    # Whole days left, rounded down; an expired certificate counts -1 from its first day on.
    remaining = not_after - now
    days_left = int(remaining // 86400) if remaining >= 0 else -max(1, int(-remaining // 86400))
    issuer = cert.get("issuer")
    result.update({
        "daysLeft": days_left,
        "notAfter": iso(not_after),
        "notBefore": iso(not_before) if not_before else None,
        "issuer": name_field(issuer, "organizationName") or name_field(issuer, "commonName"),
        "issuerCommonName": name_field(issuer, "commonName"),
        "subject": name_field(cert.get("subject"), "commonName"),
        "subjectAltNames": [v for k, v in cert.get("subjectAltName", ()) if k in ("DNS", "IP Address")][:MAX_SANS],
        "serialNumber": cert.get("serialNumber"),
    })

    if not_after <= now:
        result["status"] = "expired"
    elif not_before and not_before > now:
        result["status"] = "not-yet-valid"
    elif not result["verified"]:
        result["status"] = "untrusted"
    elif days_left < warn_days:
        result["status"] = "expiring"
    else:
        result["status"] = "ok"
    return result


def describe(r):
    if r["error"] and r["status"] == "error":
        return r["error"]["message"]
    parts = [f"expires {r['notAfter'][:10]}" if r["notAfter"] else "expiry unknown"]
    if r["daysLeft"] is not None:
        parts.append(f"{r['daysLeft']} days left")
    if r["issuer"]:
        parts.append(f"issuer {r['issuer']}")
    if r["verifyError"]:
        parts.append(f"not trusted: {r['verifyError']}")
    return ", ".join(parts)


def main():
    out_path = os.environ.get("SHELF_OUTPUT")
    try:
        if not out_path:
            raise InputError("SHELF_OUTPUT is not set")
        progress(0, "reading inputs")
        hosts, port, warn_days, timeout, fail_on_error = load_inputs()
    except InputError as e:
        print(f"error: {e}", file=sys.stderr, flush=True)
        if out_path:
            try:
                with open(out_path, "w", encoding="utf-8") as f:
                    json.dump({"error": str(e)}, f)
            except OSError:
                pass
        return 2

    log(f"job {os.environ.get('SHELF_JOB_ID', 'local')}: checking {len(hosts)} host(s) on port {port}, "
        f"warning below {warn_days} days, timeout {timeout:g} s per host")
    checked_at = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    results = [None] * len(hosts)
    with concurrent.futures.ThreadPoolExecutor(max_workers=min(MAX_WORKERS, len(hosts))) as pool:
        futures = {pool.submit(check, h, port, timeout, warn_days): i for i, h in enumerate(hosts)}
        for done, future in enumerate(concurrent.futures.as_completed(futures), start=1):
            i = futures[future]
            try:
                results[i] = future.result()
            except Exception as e:  # a bug or an unexpected error must not lose the other hosts
                results[i] = {"host": hosts[i], "port": port, "status": "error",
                              "error": {"kind": "internal", "message": f"{type(e).__name__}: {e}"}}
            r = results[i]
            log(f"{r['status'].upper():<14} {r['host']}: {describe(r)}")
            progress(100 * done / len(hosts), f"checked {done} of {len(hosts)}")

    counts = {s: 0 for s in ["ok", "expiring", "expired", "not-yet-valid", "untrusted", "error"]}
    for r in results:
        counts[r["status"]] += 1
    failing = [r["host"] for r in results
               if r["status"] in FAILING or (fail_on_error and r["status"] == "error")]
    soonest = min((r for r in results if r.get("daysLeft") is not None),
                  key=lambda r: r["daysLeft"], default=None)

    outputs = {
        "checkedAt": checked_at,
        "port": port,
        "warnDays": warn_days,
        "passed": not failing,
        "summary": {"total": len(results), **counts},
        "failing": failing,
        "soonestExpiry": ({"host": soonest["host"], "daysLeft": soonest["daysLeft"],
                           "notAfter": soonest["notAfter"]} if soonest else None),
        "results": results,
    }
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(outputs, f, indent=2)

    log()
    log("summary: " + ", ".join(f"{n} {s}" for s, n in counts.items() if n))
    if failing:
        log(f"FAILED: {len(failing)} host(s) need attention: {', '.join(failing)}")
        return 1
    log("all certificates are valid for at least "
        f"{warn_days} more day(s)" + ("" if fail_on_error or not counts["error"] else
                                        f" ({counts['error']} unreachable host(s) ignored)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
