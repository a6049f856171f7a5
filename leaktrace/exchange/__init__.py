"""Sharing intelligence across agencies (issue 12, in progress): STIX 2.1 objects for
LeakTrace's findings and their markings (TLP 2.0, SIENA handling codes).

This package is pure domain: it takes plain typed facts and returns STIX objects; it never
imports the services, the store, the CLI or the web app (the services will call it).
"""
