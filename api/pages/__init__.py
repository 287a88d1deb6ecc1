"""The web pages (Chinese, server-rendered, usable on a phone), one module per domain.

Pages call the same domain functions as the JSON routes. Authentication is the
same API key: pages read it from a cookie that ``/login`` sets, so a browser
needs no extra header. Errors render as a page, not as problem+json. Which
page modules exist is the registry's business (``kb_service/registry.py``);
``common.py`` holds what they share: templates, "who is asking", error pages,
login and logout.
"""
