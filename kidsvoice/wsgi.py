"""The WSGI entry point for production: ``gunicorn 'kidsvoice.wsgi:app'``.

The app is built from the environment (``Config.from_env``) once per worker.  Everything alive
once it is built — the app, its compiled templates, the questionnaires, SQLAlchemy's mappers —
lives as long as the worker, so it is moved into the garbage collector's permanent generation
(:func:`gc.freeze`): the collector's full passes stop walking it again and again while requests
come in (about 4 % of a child's answer step, measured with ``bench/load.py``).
Objects made later are collected as usual.

The worry list (:mod:`kidsvoice.safeguarding`) is compiled here too, before the first request:
compiling its few hundred patterns takes about half a second, which would otherwise fall on the
first child in each worker to write an answer in their own words.
"""

from __future__ import annotations

import gc

from . import create_app, safeguarding

app = create_app()
safeguarding.default_list()
gc.freeze()
