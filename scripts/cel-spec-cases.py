#!/usr/bin/env python3
"""Generates Tests/RegistryCELTests/CELSpecCases.swift from cel-spec's simple conformance files.

Usage: scripts/cel-spec-cases.py CEL_SPEC_TESTDATA_DIR > Tests/RegistryCELTests/CELSpecCases.swift

CEL_SPEC_TESTDATA_DIR is tests/simple/testdata of a checkout of github.com/google/cel-spec (not committed here).
Every test of the chosen files becomes one case: its expression and what cel-spec expects (a value, an evaluation
error, or a value outside our subset's types). Cases that need bindings, a container or a type environment are
kept with their bindings only when those are plain values; the rest are marked as needing features we refuse.
"""
import os
import re
import sys

FILES = ["basic", "comparisons", "fields", "lists", "logic", "macros", "parse", "plumbing", "string"]


def tokenize(text):
    pos = 0
    tokens = []
    pattern = re.compile(r'\s+|#[^\n]*|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|[{}:\[\],<>]|[^\s{}:\[\],<>"\'#]+')
    while pos < len(text):
        match = pattern.match(text, pos)
        if not match:
            raise SystemExit(f"cannot tokenize at {text[pos:pos + 40]!r}")
        token = match.group(0)
        pos = match.end()
        if token.strip() and not token.startswith("#"):
            tokens.append(token)
    return tokens


def unescape(literal):
    body = literal[1:-1]
    out = bytearray()
    index = 0
    while index < len(body):
        char = body[index]
        if char != "\\":
            out += char.encode("utf-8")
            index += 1
            continue
        nxt = body[index + 1]
        simple = {"n": b"\n", "t": b"\t", "r": b"\r", "\\": b"\\", "'": b"'", '"': b'"', "a": b"\a", "b": b"\b",
                  "f": b"\f", "v": b"\v", "?": b"?"}
        if nxt in simple:
            out += simple[nxt]
            index += 2
        elif nxt == "x":
            match = re.match(r"[0-9a-fA-F]{1,2}", body[index + 2:])
            out.append(int(match.group(0), 16))
            index += 2 + len(match.group(0))
        elif nxt in "01234567":
            match = re.match(r"[0-7]{1,3}", body[index + 1:])
            out.append(int(match.group(0), 8))
            index += 1 + len(match.group(0))
        elif nxt == "u":
            out += chr(int(body[index + 2:index + 6], 16)).encode("utf-8")
            index += 6
        elif nxt == "U":
            out += chr(int(body[index + 2:index + 10], 16)).encode("utf-8")
            index += 10
        else:
            raise SystemExit(f"unknown escape \\{nxt} in {literal}")
    return out


def parse_message(tokens, pos, closer="}"):
    fields = []
    while pos < len(tokens) and tokens[pos] != closer:
        name = tokens[pos]
        pos += 1
        if tokens[pos] == ":":
            pos += 1
        if tokens[pos] in ("{", "<"):
            value, pos = parse_message(tokens, pos + 1, "}" if tokens[pos] == "{" else ">")
            pos += 1
        elif tokens[pos] == "[":
            pos += 1
            value = []
            while tokens[pos] != "]":
                if tokens[pos] == "{":
                    item, pos = parse_message(tokens, pos + 1)
                    pos += 1
                else:
                    item = tokens[pos]
                    pos += 1
                value.append(item)
                if tokens[pos] == ",":
                    pos += 1
            pos += 1
        else:
            value = tokens[pos]
            pos += 1
            if value[0] in "\"'":
                data = unescape(value)
                while pos < len(tokens) and tokens[pos][0] in "\"'":
                    data += unescape(tokens[pos])
                    pos += 1
                value = data
        fields.append((name, value))
        if pos < len(tokens) and tokens[pos] in (",", ";"):
            pos += 1
    return fields, pos


def get(fields, name):
    return [value for key, value in fields if key == name]


def swift_string(data):
    text = data.decode("utf-8", errors="surrogateescape") if isinstance(data, (bytes, bytearray)) else data
    out = []
    for char in text:
        code = ord(char)
        if char == "\\":
            out.append("\\\\")
        elif char == '"':
            out.append('\\"')
        elif 0x20 <= code < 0x7F:
            out.append(char)
        else:
            out.append("\\u{%x}" % code)
    return '"' + "".join(out) + '"'


class Unrepresentable(Exception):
    pass


def swift_value(fields):
    (kind, raw), = fields
    if kind == "int64_value":
        return f".int({raw})" if raw != "-9223372036854775808" else ".int(Int64.min)"
    if kind == "double_value":
        special = {"inf": ".infinity", "-inf": "-.infinity", "nan": ".nan", "infinity": ".infinity",
                   "-infinity": "-.infinity"}
        return f".double({special.get(raw.lower(), raw)})"
    if kind == "string_value":
        return f".string({swift_string(raw)})"
    if kind == "bool_value":
        return f".bool({raw})"
    if kind == "null_value":
        return ".null"
    if kind == "list_value":
        values = [swift_value(item) for item in get(raw, "values")]
        return ".list([" + ", ".join(values) + "])"
    if kind == "map_value":
        entries = []
        for entry in get(raw, "entries"):
            key = get(entry, "key")[0]
            if len(key) != 1 or key[0][0] != "string_value":
                raise Unrepresentable("map key that is not a string")
            entries.append(f"{swift_string(key[0][1])}: {swift_value(get(entry, 'value')[0])}")
        return ".map([" + ", ".join(entries) + "])" if entries else ".map([:])"
    raise Unrepresentable(kind)


def main():
    directory = sys.argv[1]
    print("// Generated by scripts/cel-spec-cases.py from cel-spec's tests/simple/testdata "
          "(https://github.com/google/cel-spec, Apache-2.0). Do not edit by hand.")
    print("@testable import RegistryCEL\n")
    print("extension CELSpecCase {")
    print("    /// Every test of cel-spec's " + ", ".join(FILES) + " files.")
    print("    static let all: [CELSpecCase] = [")
    for file_name in FILES:
        with open(os.path.join(directory, file_name + ".textproto"), encoding="utf-8") as handle:
            fields, _ = parse_message(tokenize(handle.read()), 0)
        for section in get(fields, "section"):
            section_name = get(section, "name")[0].decode()
            for test in get(section, "test"):
                name = f"{file_name}/{section_name}/{get(test, 'name')[0].decode()}"
                expr = get(test, "expr")[0]
                # type_env only declares the variables that bindings give; identifiers play that part here.
                needs = [key for key in ("container", "check_only") if get(test, key)]
                bindings = []
                for binding in get(test, "bindings"):
                    key = get(binding, "key")[0].decode()
                    inner = get(get(binding, "value")[0], "value")
                    try:
                        bindings.append(f"{swift_string(key)}: {swift_value(inner[0])}" if inner else "")
                    except Unrepresentable:
                        needs.append("bindings")
                if get(test, "eval_error"):
                    expected = ".evaluationError"
                elif get(test, "value"):
                    try:
                        expected = f".value({swift_value(get(test, 'value')[0])})"
                    except Unrepresentable as kind:
                        expected = f".outsideSubset({swift_string(str(kind))})"
                elif get(test, "typed_result") or get(test, "any_eval_errors") or get(test, "unknown"):
                    expected = '.outsideSubset("typed or unknown result")'
                else:
                    expected = ".value(.bool(true))"
                binding_text = "[" + ", ".join(b for b in bindings if b) + "]" if any(bindings) else "[:]"
                needs_text = "[" + ", ".join(swift_string(n) for n in needs) + "]"
                print(f"        CELSpecCase({swift_string(name)}, {swift_string(expr)},\n"
                      f"                    bindings: {binding_text}, needs: {needs_text}, expected: {expected}),")
    print("    ]")
    print("}")


main()
