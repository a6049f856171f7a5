"""The demo's fictional cast: release groups, sites, films and series (all invented)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from leaktrace.catalog.model import Work

# ------------------------------------------------------------------ fictional cast

# scene groups (announce on the pre-database)
DISC_GROUPS = ("VELLUM", "TESSERA", "HALCYON")  # disc rips after street date
CAM_GROUPS = ("LENSCAP", "DARKROW")  # cinema captures
WEB_GROUP = "RiVULET"  # WEB-DL from streaming services
WORKPRINT_GROUP = "CUTROOM"
SCREENER_GROUP = "LAUREL"
ITALIAN_GROUP = "VENTO"
FRENCH_GROUP = "MiSTRAL"
TV_HDTV_GROUP = "TiDEWATER"
TV_WEB_GROUP = "NIMBUS"
OLD_GROUP = "OLDIES"
# P2P groups (appear first on trackers), each with its naming style
P2P_STYLES: tuple[tuple[str, str], ...] = (
    ("NOVA", "brackets"),
    ("lumen", "lower"),
    ("TINYRIP", "spaced"),
    ("GLiMMER", "dots"),
    ("PEBBLE", "brrip"),
    ("KOBALT", "dots"),
    ("ORCA", "spaced"),
    ("QuickBit", "brrip"),
    ("SEEDLING", "dots"),
    ("marmot", "lower"),
    ("HALO", "brackets"),
)
P2P_FOLLOWERS = ("NOVA", "GLiMMER", "SEEDLING")
"""The P2P groups that follow the supply-chain group's leaks."""
P2P_CAM_GROUP = "P2PCAM"
WEB_P2P_GROUP = "PiXELBAY"
TV_P2P_GROUP = "minitv"
SITES = (
    "harborbay.example",
    "cinestash.example",
    "reeltorrents.example",
    "magnetmoth.example",
    "vaultindex.example",
)


@dataclass(frozen=True, slots=True)
class _Film:
    id: str
    title: str
    year: int
    aliases: tuple[tuple[str, str], ...] = ()  # (language, alias)
    major: bool = True
    streaming_first: bool = False


# about forty fictional films; language codes of aliases: it, fr, orig (original title)
_FILMS: tuple[_Film, ...] = (
    _Film(
        "mv-lantern-keeper-2025",
        "The Lantern Keeper",
        2025,
        (("it", "Il Guardiano del Faro"), ("fr", "Le Gardien du Phare")),
    ),
    _Film("mv-1958", "1958", 2025, (("it", "1958 - L'Ultimo Inverno"),)),
    _Film(
        "mv-ironwood-2",
        "Ironwood: Part Two",
        2025,
        (("it", "Ironwood: Parte Seconda"), ("fr", "Ironwood : Deuxieme Partie")),
    ),
    _Film("mv-class-of-2044", "The Class of 2044", 2025),
    _Film(
        "mv-salt-harbor", "Salt Harbor", 2025, (("orig", "Sogeum Hang"), ("fr", "Le Port de Sel"))
    ),
    _Film(
        "mv-house-on-the-cliff",
        "The House on the Cliff",
        2025,
        (("orig", "La Casa del Acantilado"), ("it", "La Casa sulla Scogliera")),
    ),
    _Film("mv-parallax-2", "Parallax II", 2025),
    _Film("mv-nightjar", "Nightjar", 2025, (("it", "Il Succiacapre"),)),
    _Film("mv-copper-sky", "Copper Sky", 2025, (("fr", "Ciel de Cuivre"),)),
    _Film("mv-ninth-tide", "The Ninth Tide", 2025, (("it", "La Nona Marea"),)),
    _Film("mv-glass-orchard", "Glass Orchard", 2025),
    _Film(
        "mv-midnight-meridian", "Midnight at the Meridian", 2025, (("fr", "Minuit au Meridien"),)
    ),
    _Film("mv-hollow-crown-road", "Hollow Crown Road", 2025, major=False),
    _Film("mv-paper-lions", "Paper Lions", 2025, (("it", "Leoni di Carta"),)),
    _Film("mv-quiet-engine", "The Quiet Engine", 2025),
    _Film("mv-velvet-static", "Velvet Static", 2025, streaming_first=True),
    _Film("mv-stormbound", "Stormbound", 2025, (("fr", "Prisonniers de la Tempete"),)),
    _Film("mv-map-small-fires", "A Map of Small Fires", 2025, major=False),
    _Film("mv-orchid-protocol", "The Orchid Protocol", 2025, (("it", "Protocollo Orchidea"),)),
    _Film("mv-blackwater-canticle", "Blackwater Canticle", 2025, major=False),
    _Film("mv-driftwood-kings", "Driftwood Kings", 2025),
    _Film("mv-saffron-line", "Saffron Line", 2025, streaming_first=True),
    _Film("mv-echoes-aurelia", "Echoes of Aurelia", 2025, (("fr", "Les Echos d'Aurelia"),)),
    _Film("mv-last-cartographer", "The Last Cartographer", 2025, (("it", "L'Ultimo Cartografo"),)),
    _Film("mv-ember-and-ash", "Ember & Ash", 2025, (("fr", "Braise et Cendre"),)),
    _Film("mv-northbound-9", "Northbound 9", 2025),
    _Film("mv-kingfisher-lane", "Kingfisher Lane", 2025, major=False, streaming_first=True),
    _Film("mv-iron-veil", "The Iron Veil", 2025, (("it", "Il Velo di Ferro"),)),
    _Film("mv-wolves-calder", "Wolves of Calder Street", 2025),
    _Film("mv-sunless-garden", "Sunless Garden", 2025, major=False),
    _Film("mv-harbor-lights", "Harbor Lights Forever", 2025),
    _Film("mv-tin-soldier", "Tin Soldier Blues", 2025, major=False),
    _Film("mv-glass-cartel", "The Glass Cartel", 2025, (("it", "Il Cartello di Vetro"),)),
    _Film("mv-dust-devils", "Dust Devils", 2025, streaming_first=True),
    _Film("mv-lumen-falls", "Lumen Falls", 2025),
    _Film("mv-frostline", "Frostline", 2025, (("fr", "Ligne de Givre"),)),
    _Film(
        "mv-last-summer-brissac",
        "The Last Summer at Brissac",
        2025,
        (("orig", "Le Dernier Été à Brissac"),),
    ),
    _Film("mv-nobodys-return", "Nobody's Return", 2025, (("orig", "Il Ritorno di Nessuno"),)),
    _Film("mv-mister-kestrel", "Mister Kestrel", 2025),
    _Film("mv-starling-hill", "Starling Hill", 2025, major=False),
)
#: older works whose windows are long open: releases of them in 2025 are in-window
_OLDER: tuple[Work, ...] = (
    Work(
        "mv-lantern-keeper-1988",
        "movie",
        "The Lantern Keeper",
        1988,
        theatrical=date(1988, 6, 10),
        digital=date(2012, 4, 3),
        physical=date(1989, 3, 15),
    ),
    Work(
        "mv-ironwood-1",
        "movie",
        "Ironwood: Part One",
        2024,
        aliases=("Ironwood: Parte Prima",),
        theatrical=date(2024, 3, 8),
        digital=date(2024, 4, 23),
        physical=date(2024, 5, 21),
    ),
)
_WORKPRINT_FILM = "mv-ironwood-2"
_SCREENER_FILM = "mv-map-small-fires"
#: titles NOT in the catalogue (noise): films, and one older film sharing a catalogue title
_NOISE_FILMS = (
    ("Harrowgate", 2025),
    ("The Velvet Hour", 2025),
    ("Crimson Ledger", 2025),
    ("Moths of August", 2025),
    ("Sixteen Lanterns", 2024),
    ("The Dunmore Affair", 2025),
    ("Quarry Nine", 2025),
    ("Bluebird Motel", 2024),
    ("Skyline Drifters", 2025),
    ("Arrowhead Bay", 2025),
    ("The Pale Regent", 2025),
    ("Slow Rivers", 2023),
    ("Tangerine Circuit", 2025),
    ("Ghosts of Vellmar", 2025),
    ("Westering", 2025),
    ("Stormbound", 1999),
    ("Copper Sky", 1974),
    ("Corner of Ninth", 2025),
    ("The Rook Gambit", 2025),
    ("Saltwater Psalm", 2024),
    ("Low Orbit", 2025),
    ("Marigold Station", 2025),
    ("Hinterland Echo", 2025),
    ("The Ferryman's Debt", 2025),
    ("Oxbow", 2025),
    ("The Second Lantern", 2025),
    ("Riverglass", 2024),
    ("Thornfield Run", 2025),
    ("Cobalt Saints", 2025),
    ("The Understudy's Ghost", 2025),
    ("Meadowlark", 2025),
    ("Seven Winters North", 2025),
    ("Fathom", 2024),
    ("Gilded Static", 2025),
    ("The Wicker Almanac", 2025),
    ("Nightfall Ferry", 2025),
    ("Parallax", 2019),
    ("Ironwood", 1996),
    ("Hollow Men of Ashford", 2025),
    ("Sable Point", 2025),
)
_NOISE_SHOWS = ("Backyard Kings", "Dockside Law", "Pinecrest Academy")
_NOISE_OTHER = (  # scene releases that are not films or TV at all
    "Marlow_Tide-Coastal_Lines-(CAT042)-WEB-2025-HOOKS",
    "Graphbench.Pro.v4.2.1.MULTILANGUAGE-LAVA",
    "Various_Artists-Midnight_Radio_Vol_3-2CD-2025-HOOKS",
    "Oakshade_Quartet-Still_Water-WEB-2025-HOOKS",
    "PixelForge.Studio.v11.0.3.x64-LAVA",
    "Fjordline-Northern_Lights-(NL017)-SINGLE-WEB-2025-HOOKS",
)


@dataclass(frozen=True, slots=True)
class _Show:
    id: str
    csv_title: str
    title: str
    name_title: str  # how release names spell it (with the country tag)
    country: str | None
    year: int
    season: int
    premiere: date
    episodes: int
    evening_utc_hour: int
    titles: tuple[str, ...] = ()


_SHOWS: tuple[_Show, ...] = (
    _Show(
        "tv-ministry-us-s03",
        "The Ministry (US)",
        "The Ministry",
        "The.Ministry.US",
        "US",
        2022,
        3,
        date(2025, 3, 2),
        10,
        1,
        ("Chain of Command", "Quorum", "Red Box"),
    ),
    _Show(
        "tv-ministry-uk-s03",
        "The Ministry (UK)",
        "The Ministry",
        "The.Ministry.UK",
        "GB",
        2019,
        3,
        date(2025, 9, 14),
        8,
        20,
        ("Question Time", "Backbench"),
    ),
    _Show(
        "tv-harbour-watch-s04",
        "Harbour Watch",
        "Harbour Watch",
        "Harbour.Watch",
        None,
        2021,
        4,
        date(2025, 1, 19),
        10,
        2,
        ("The Undertow", "Slack Water"),
    ),
    _Show(
        "tv-night-shift-diaries-s02",
        "Night Shift Diaries",
        "Night Shift Diaries",
        "Night.Shift.Diaries",
        None,
        2024,
        2,
        date(2025, 4, 6),
        8,
        1,
    ),
    _Show(
        "tv-crown-compass-s02",
        "Crown & Compass",
        "Crown & Compass",
        "Crown.and.Compass",
        None,
        2023,
        2,
        date(2025, 10, 5),
        8,
        20,
        ("The Lighthouse Treaty",),
    ),
    _Show("tv-lowland-s01", "Lowland", "Lowland", "Lowland", None, 2025, 1, date(2025, 6, 1), 9, 2),
)
_PRE_AIR_HDTV = "tv-harbour-watch-s04"  # E01 aired abroad two days early
_PRE_AIR_WEB = "tv-night-shift-diaries-s02"  # E01-E02 leaked from a platform
