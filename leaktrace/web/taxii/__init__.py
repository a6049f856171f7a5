"""The TAXII 2.1 server (issue 12): discovery at ``/taxii2/``, the API root
``/taxii2/leaktrace/`` (:mod:`leaktrace.web.taxii.routes`); TAXII's media types and error
bodies (:mod:`leaktrace.web.taxii.media`)."""
