"""The web service: a JSON API under ``/api/v1`` and server-rendered pages, over the
service layer (``leaktrace.services``). Nothing here touches the database directly."""
