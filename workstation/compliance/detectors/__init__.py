"""One small module per kind of rule; each exposes `detect(doc, ctx) -> list[Hit]`."""

from workstation.compliance.detectors import (
    accounts,
    bankcard,
    claims,
    confrontation,
    email,
    links,
    phone,
    repetition,
    store,
    words,
)

TEXT_DETECTORS = (words, links, email, phone, bankcard, accounts, store, claims, confrontation, repetition)
