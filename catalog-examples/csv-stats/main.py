#!/usr/bin/env python3
"""csv-stats: per-column statistics for CSV text.

Reads the inputs from $SHELF_INPUT, prints progress and a summary table, and writes the
statistics as JSON to $SHELF_OUTPUT. Malformed CSV ends the job with a clear message on
stderr and exit status 1. Uses the Python standard library only.
"""

import csv
import io
import json
import math
import os
import re
import statistics
import sys
from collections import Counter

MAX_CHARS = 2_000_000
MAX_COLUMNS = 500
MAX_NAME = 200          # longest column name kept in the outputs
MAX_VALUE = 100         # longest text value kept in "top" lists
OUTPUT_BUDGET = 900_000  # bytes; Shelf refuses outputs over 1 MB
DELIMITERS = {"auto": None, ",": ",", ";": ";", "\t": "\t", "|": "|"}
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}

# A plain decimal number: 12, -3.5, .5, 1e6. No thousands separators, no nan/inf.
NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
# A decimal-comma number: 1,5  1.234,5  -12  (dots only as thousands separators).
NUMBER_DECIMAL_COMMA = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$")


class InputError(Exception):
    """A problem with the inputs that the user can fix."""


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

    text = raw.get("csv")
    if not isinstance(text, str) or not text.strip():
        raise InputError("csv is empty: paste some CSV text")
    if len(text) > MAX_CHARS:
        raise InputError(f"csv is too long ({len(text):,} characters, at most {MAX_CHARS:,})")

    delimiter = raw.get("delimiter", "auto")
    if delimiter is None:
        delimiter = "auto"
    if delimiter not in DELIMITERS:
        raise InputError(f"delimiter must be one of auto, ',', ';', tab, '|' (got {delimiter!r})")

    has_header = raw.get("hasHeader", True)
    decimal_comma = raw.get("decimalComma", False)
    for key, value in (("hasHeader", has_header), ("decimalComma", decimal_comma)):
        if not isinstance(value, bool):
            raise InputError(f"{key} must be true or false (got {value!r})")

    top = raw.get("topValues", 5)
    if isinstance(top, bool) or not isinstance(top, (int, float)) or top != int(top) or not 0 <= top <= 20:
        raise InputError(f"topValues must be a whole number from 0 to 20 (got {top!r})")

    return text, delimiter, has_header, decimal_comma, int(top)


def detect_delimiter(text):
    sample = "\n".join(text.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        # One column, or nothing the sniffer recognises: a comma is the safest guess.
        return ","


def parse(text, delimiter):
    """Returns the non-blank rows as (line number, fields); raises InputError on bad CSV."""
    csv.field_size_limit(max(len(text) + 1, 131072))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows = []
    try:
        start = 1
        for fields in reader:
            if fields and any(cell.strip() for cell in fields):
                rows.append((start, fields))
            start = reader.line_num + 1
    except csv.Error as e:
        hint = " (is a quote left open?)" if "end of data" in str(e) else ""
        raise InputError(f"malformed CSV at line {reader.line_num}: {e}{hint}") from e
    if not rows:
        raise InputError("the CSV has no rows")

    width = len(rows[0][1])
    if width > MAX_COLUMNS:
        raise InputError(f"too many columns ({width}, at most {MAX_COLUMNS})")
    for line, fields in rows[1:]:
        if len(fields) != width:
            raise InputError(
                f"malformed CSV at line {line}: {len(fields)} field(s), but the first row has {width}. "
                "Check the delimiter, and quote fields that contain it."
            )
    return rows


def column_names(first_row, has_header):
    if not has_header:
        return [f"column_{i + 1}" for i in range(len(first_row))]
    names, seen = [], Counter()
    for i, cell in enumerate(first_row):
        name = cell.strip()[:MAX_NAME] or f"column_{i + 1}"
        seen[name] += 1
        names.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    return names


def to_number(cell, decimal_comma):
    """The cell as a finite float, or None if it is not a number."""
    if decimal_comma:
        if not NUMBER_DECIMAL_COMMA.match(cell):
            return None
        cell = cell.replace(".", "").replace(",", ".")
    elif not NUMBER.match(cell):
        return None
    value = float(cell)
    return value if math.isfinite(value) else None


def tidy(x):
    """A float for JSON: whole numbers as int, everything else to 12 significant digits."""
    if x is None:
        return None
    if float(x).is_integer() and abs(x) < 2**53:
        return int(x)
    return float(f"{x:.12g}")


def numeric_stats(numbers):
    count = len(numbers)
    return {
        "min": tidy(min(numbers)),
        "max": tidy(max(numbers)),
        "sum": tidy(math.fsum(numbers)),
        "mean": tidy(statistics.fmean(numbers)),
        "median": tidy(statistics.median(numbers)),
        # Sample standard deviation (n - 1); undefined for a single value.
        "stddev": tidy(statistics.stdev(numbers)) if count >= 2 else None,
        "distinct": len(set(numbers)),
    }


def text_stats(values, top):
    counts = Counter(values)
    lengths = [len(v) for v in values]
    return {
        "distinct": len(counts),
        "minLength": min(lengths),
        "maxLength": max(lengths),
        "top": [
            {"value": v if len(v) <= MAX_VALUE else v[: MAX_VALUE - 1] + "…", "count": n}
            for v, n in counts.most_common(top)
        ],
    }


def analyse(names, data, decimal_comma, top):
    results = []
    total = len(names)
    step = max(1, total // 10)
    for index, name in enumerate(names):
        cells = [row[index].strip() for row in data]
        present = [c for c in cells if c != ""]
        column = {"name": name, "index": index, "count": len(present), "missing": len(cells) - len(present)}
        if not present:
            column["type"] = "empty"
        else:
            numbers = [to_number(c, decimal_comma) for c in present]
            if all(n is not None for n in numbers):
                column["type"] = "numeric"
                column.update(numeric_stats(numbers))
            else:
                column["type"] = "text"
                column["numericValues"] = sum(1 for n in numbers if n is not None)
                column.update(text_stats(present, top))
        results.append(column)
        if (index + 1) % step == 0 or index + 1 == total:
            progress(40 + 50 * (index + 1) / total, f"analysed {index + 1} of {total} columns")
    return results


def fit_output(outputs):
    """Shrinks the "top" lists until the outputs fit the budget."""
    data = json.dumps(outputs, ensure_ascii=False)
    while len(data.encode("utf-8")) > OUTPUT_BUDGET:
        longest = max((len(c.get("top", [])) for c in outputs["columnStats"]), default=0)
        if longest == 0:
            raise InputError("the statistics do not fit in the 1 MB output limit")
        for column in outputs["columnStats"]:
            if "top" in column:
                column["top"] = column["top"][: longest // 2]
        outputs["truncated"] = True
        data = json.dumps(outputs, ensure_ascii=False)
    return data


def fmt(value):
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def print_table(columns):
    log()
    log(f"{'column':<24} {'type':<8} {'count':>7} {'missing':>7}  details")
    for c in columns:
        if c["type"] == "numeric":
            details = (f"min={fmt(c['min'])} max={fmt(c['max'])} mean={fmt(c['mean'])} "
                       f"median={fmt(c['median'])} stddev={fmt(c['stddev'])}")
        elif c["type"] == "text":
            common = ", ".join(f"{t['value'][:20]!r}×{t['count']}" for t in c["top"][:3])
            details = f"distinct={c['distinct']}" + (f" top: {common}" if common else "")
        else:
            details = "no values"
        name = c["name"] if len(c["name"]) <= 24 else c["name"][:23] + "…"
        log(f"{name:<24} {c['type']:<8} {c['count']:>7} {c['missing']:>7}  {details}")
    log()


def main():
    out_path = os.environ.get("SHELF_OUTPUT")
    try:
        if not out_path:
            raise InputError("SHELF_OUTPUT is not set")
        progress(0, "reading inputs")
        text, delimiter, has_header, decimal_comma, top = load_inputs()

        if delimiter == "auto":
            delimiter = detect_delimiter(text)
            log(f"detected delimiter: {DELIMITER_NAMES[delimiter]}")
        if decimal_comma and delimiter == ",":
            raise InputError("decimalComma needs a delimiter other than comma")

        progress(10, "parsing CSV")
        rows = parse(text, delimiter)
        header = rows[0][1]
        names = column_names(header, has_header)
        data = [fields for _, fields in (rows[1:] if has_header else rows)]
        log(f"job {os.environ.get('SHELF_JOB_ID', 'local')}: {len(data)} data row(s), "
            f"{len(names)} column(s), delimiter {DELIMITER_NAMES[delimiter]}, "
            f"header {'yes' if has_header else 'no'}")
        if not data:
            raise InputError("the CSV has a header but no data rows")
        progress(40, "computing statistics")

        columns = analyse(names, data, decimal_comma, top)
        print_table(columns)

        outputs = {
            "rows": len(data),
            "columns": len(names),
            "delimiter": delimiter,
            "hasHeader": has_header,
            "numericColumns": [c["name"] for c in columns if c["type"] == "numeric"],
            "textColumns": [c["name"] for c in columns if c["type"] == "text"],
            "columnStats": columns,
        }
        serialized = fit_output(outputs)
        with open(out_path, "w", encoding="utf-8") as f:
            f.write(serialized)
        progress(100, "done")
        return 0
    except InputError as e:
        print(f"error: {e}", file=sys.stderr, flush=True)
        if out_path:
            try:
                with open(out_path, "w", encoding="utf-8") as f:
                    json.dump({"error": str(e)}, f)
            except OSError:
                pass
        return 1


if __name__ == "__main__":
    sys.exit(main())
