"""Takedown notices (issue 15): from the locations of a leak to a legally complete DMCA
or DSA notice, its e-mail, its Lumen record, and what the recipient did.

The domain lives here and knows no database: the vocabulary (:mod:`.model`), where a
location may not be noticed (:mod:`.locations`), the legal forms and their elements
(:mod:`.forms`), the templates (:mod:`.templates`), the exports (:mod:`.lumen`,
:mod:`.mail`, :mod:`.html`), replies (:mod:`.replies`), the contacts file
(:mod:`.contacts_csv`) and the figures (:mod:`.stats`). The use cases are
``leaktrace.services.notice*``.
"""
