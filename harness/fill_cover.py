#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Put a series' cover text into format-patch's cover-letter template.

usage: fill_cover.py COVER_FILE 0000-cover-letter.patch
COVER_FILE: first line is the subject, then a blank line, then the blurb.
"""
import sys

cover_path, letter_path = sys.argv[1:3]
with open(cover_path, encoding="utf-8") as f:
    subject, _, blurb = f.read().partition("\n")
with open(letter_path, encoding="utf-8") as f:
    letter = f.read()
for marker in ("*** SUBJECT HERE ***", "*** BLURB HERE ***"):
    if marker not in letter:
        sys.exit(f"fill_cover: {letter_path} has no '{marker}'")
letter = letter.replace("*** SUBJECT HERE ***", subject.strip(), 1)
letter = letter.replace("*** BLURB HERE ***", blurb.strip(), 1)
with open(letter_path, "w", encoding="utf-8") as f:
    f.write(letter)
