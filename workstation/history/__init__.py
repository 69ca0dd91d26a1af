"""Offline history review: archive import/export, search, and the platform service figures. Qt-free.

- archive.py / importer.py / exporter.py / masking.py — the .jsonl archive (docs/archive-format.md)
- search.py — substring search (1–2 character Chinese words included) with filters, in pages
- figures.py — Kuaishou / PDD service figures, response times, per-agent table
- cli.py — `workstation history import|export` and `workstation report`
"""
