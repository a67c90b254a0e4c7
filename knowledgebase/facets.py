"""The facet values every installation starts with; editors may add to them later."""

THEMES = [
    ("diy-policing", "DIY policing", "Citizens who investigate, patrol or name suspects online."),
    ("everyday-security", "Everyday security", "Burglary, scams, missing people, local problems."),
    (
        "riots-and-mass-gatherings",
        "Riots and mass gatherings",
        "Demonstrations, events, unrest and crowd communication.",
    ),
    ("dark-web", "Dark web", "Hidden services, illicit markets and their investigation."),
    ("trolling", "Trolling", "Trolling, cyberbullying, threats and harassment."),
    (
        "innovative-market-solutions",
        "Innovative market solutions",
        "Tools and services that businesses offer for public security.",
    ),
]
PLATFORMS = [
    ("x", "X (Twitter)"),
    ("facebook", "Facebook"),
    ("instagram", "Instagram"),
    ("tiktok", "TikTok"),
    ("youtube", "YouTube"),
    ("telegram", "Telegram"),
    ("whatsapp", "WhatsApp"),
    ("snapchat", "Snapchat"),
    ("reddit", "Reddit"),
    ("mastodon", "Mastodon"),
    ("nextdoor", "Nextdoor"),
    ("discord", "Discord"),
]
