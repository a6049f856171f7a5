"""Normalised vocabularies for release names, built into lookup tables at import time.

Every entry is keyed by the lower-cased token, or for a phrase of two or three tokens by the
lower-cased tokens joined with ``"."`` whatever the separator in the name was (``WEB-DL``,
``WEB.DL`` and ``WEB DL`` all become ``"web.dl"``). A lookup yields a tuple of
``(category, value)`` pairs, so one token can say several things (``DD5.1`` is audio ``ac3``
and channels ``5.1``).

Categories: ``res``, ``src``, ``codec``, ``audio``, ``lang``, ``sub``, ``tag``, ``edition``,
``service``, ``container``, ``site``, ``other`` (technical but not reported) and ``uhd``
(marks an Ultra HD disc source).
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "AMBIGUOUS_SERVICES",
    "CONTAINERS",
    "COUNTRIES",
    "EDITION_ORDER",
    "EPISODE_WORDS",
    "ORDINAL_SUFFIXES",
    "ORDINAL_WORDS",
    "COMPLETE_WORDS",
    "PACK_TITLE_WORDS",
    "PACK_WORDS",
    "TOTAL_WORDS",
    "EXTENSIONS",
    "GENERIC_FOLDERS",
    "GROUP_SITES",
    "LANG_WORDS_SUB_PREFIX",
    "MAX_PHRASE",
    "PHRASES",
    "POST_SUFFIXES",
    "PREFIX2",
    "PREFIX3",
    "RESOLUTION_HEIGHTS",
    "ROMAN",
    "SEASON_WORDS",
    "SOURCE_PRIORITY",
    "STRONG_CATEGORIES",
    "STRONG_KEYS",
    "TITLE_TRIM_KEYS",
    "TOKEN_INFO",
    "PHRASE2_FLAG",
    "PHRASE3_FLAG",
    "MARKER_WORD_FLAG",
    "WEAK",
    "WEBSITES",
]

Entry = tuple[tuple[str, str], ...]
TokenInfo = tuple[int, Entry | None, bool, frozenset[str], frozenset[str]]

PHRASES: dict[str, Entry] = {}
#: keys (single tokens or phrases) that are ordinary words too: they end a title only when
#: nothing but technical tokens follows them
WEAK: set[str] = set()

MAX_PHRASE: Final = 3


def _add(cat: str, value: str, keys: str, *, weak: bool = False) -> None:
    for key in keys.split():
        key = key.lower()
        old = PHRASES.get(key, ())
        if (cat, value) not in old:
            PHRASES[key] = old + ((cat, value),)
        if weak:
            WEAK.add(key)


# ---------------------------------------------------------------- resolution
RESOLUTION_HEIGHTS: Final[dict[str, str]] = {
    "240": "240p",
    "288": "288p",
    "360": "360p",
    "368": "360p",
    "480": "480p",
    "540": "540p",
    "576": "576p",
    "720": "720p",
    "800": "720p",
    "1080": "1080p",
    "1440": "1440p",
    "2160": "2160p",
    "4320": "4320p",
}
for _h in ("240", "288", "360", "480", "540", "576", "720", "900", "1080", "1440", "2160", "4320"):
    _add("res", _h + "p", _h + "p " + _h + "px")
_add("res", "1080i", "1080i")
_add("res", "576i", "576i")
_add("res", "480i", "480i")
_add("res", "2160p", "4k uhd4k 4k.uhd")
_add("uhd", "uhd", "4k.uhd")
_add("res", "4320p", "8k")
_add("res", "720p", "hd720p 720hd")
_add("res", "1080p", "hd1080p 1080hd fullhd full.hd")

# ---------------------------------------------------------------- sources
_add(
    "src", "cam", "cam camrip cam.rip hdcam hd.cam hqcam camhd cam.hd hdcamrip hqcamrip", weak=False
)
WEAK.add("cam")
_add(
    "src",
    "telesync",
    "ts hdts hd.ts telesync pdvd predvd tsrip hdtsrip ts.rip pdvdrip pre.dvd pre.dvdrip "
    "s.print pre.hdrip prehdrip hq.s.print hdts.rip telesync.rip",
)
_add("src", "telecine", "tc hdtc hd.tc telecine tcrip hdtcrip hdtc.rip tc.rip")
for _h in ("480p", "720p", "1080p", "2160p"):
    _add("src", "telecine", "tc" + _h + " hdtc" + _h)
    _add("res", _h, "tc" + _h + " hdtc" + _h)
    _add("src", "cam", "cam" + _h + " hdcam" + _h)
    _add("res", _h, "cam" + _h + " hdcam" + _h)
    _add("src", "telesync", "ts" + _h + " hdts" + _h)
    _add("res", _h, "ts" + _h + " hdts" + _h)
#: Chinese subtitles (simplified + traditional), never a telecine: "sc_tc", "SC+TC"
_add("sub", "zh", "sc.tc sc+tc chs.cht chs+cht gb.big5 简繁 简体 繁体 中字 双语 中英", weak=True)
_add("src", "workprint", "workprint wp")
WEAK.add("wp")
_add(
    "src",
    "screener",
    "scr screener dvdscr dvd.scr dvdscreener bdscr bd.scr webscr "
    "dvd.screener bluray.scr blu.ray.scr screeners hdscr hd.scr brscr brscreener br.scr "
    "bdscreener dvdscreener dvdscrrip scrrip",
)
_add("src", "r5", "r5 r6 r5.line")
_add("tag", "LINE", "r5.line")
_add("src", "ppv", "ppv ppvrip ppv.rip")
_add("src", "vhs", "vhs vhsrip vhs.rip")
_add(
    "src",
    "hdtv",
    "hdtv pdtv dsr dsrip ds.rip dthrip dth dvb dvbrip ahdtv hdtvrip hdtv.rip "
    "tvrip tv.rip satrip sat.rip hd.tv pdtvrip sdtv uhdtv dvbt hdtvrip hdtvmux dtv iptvrip "
    "iptv.rip dvbrip webtvrip",
)
_add("src", "web-dl", "web web.dl webdl web.dlmux dlmux webdlmux hdweb webhd")
WEAK.add("web")
_add(
    "src",
    "webrip",
    "webrip web.rip webdlrip web.dlrip web.dl.rip webrips vodrip vod.rip webmux web.mux hdwebrip "
    "webrip.avc web.dlrip.avc",
)
_add(
    "src",
    "dvd",
    "dvd dvdr dvd5 dvd9 dvd.r dvd.5 dvd.9 ntsc.dvdr pal.dvdr dvdfull dvdiso dvdmux video.ts "
    "dvd10 dvd18 2xdvd9 2xdvd5",
)
WEAK.add("dvd")
_add("src", "dvdrip", "dvdrip dvd.rip dvdivx dvdriprip xvidrip dvdripmux")
_add("src", "hddvd", "hddvd hd.dvd hddvdrip hd.dvdrip hd.dvd.rip")
_add(
    "src",
    "bdrip",
    "bdrip bd.rip brrip br.rip bluray.rip blu.ray.rip blurayrip brip bdrips "
    "brripmux bdripmux uhdrip uhd.rip",
)
_add(
    "src",
    "bluray",
    "bluray blu.ray bd bd25 bd50 bd66 bd100 bdr bdmux bluraymux bdiso complete.bluray blu.ray.disc",
)
WEAK.add("bd")
_add("src", "laserdisc", "laserdisc ldrip ld.rip")
_add("src", "bluray", "brmux")
_add("src", "webrip", "webcap web.cap")
_add("src", "web-dl", "webuhd web.uhd webhdr")
_add("src", "remux", "remux bdremux bd.remux blurayremux uhdremux uhd.remux uhdbdremux")
_add("src", "hdrip", "hdrip hd.rip hdrips webhdrip bdhdrip")
_add("uhd", "uhd", "uhd uhdbd uhd.bd uhd.bluray uhd.blu.ray ultrahd ultra.hd 4k.uhd")
_add("src", "bluray", "uhd.bluray uhd.blu.ray uhdbluray uhd.bd uhdbd")
WEAK.update({"uhd", "ultra.hd"})

#: when several sources are named, the most specific one wins
SOURCE_PRIORITY: Final[tuple[str, ...]] = (
    "workprint",
    "cam",
    "telesync",
    "telecine",
    "screener",
    "r5",
    "remux",
    "bdrip",
    "uhd-bluray",
    "bluray",
    "hddvd",
    "laserdisc",
    "dvdrip",
    "dvd",
    "hdrip",
    "webrip",
    "web-dl",
    "ppv",
    "hdtv",
    "vhs",
)

# ---------------------------------------------------------------- video codecs
_add("codec", "h264", "x264 h264 h.264 x.264 avc avc1 h264.avc x264.avc h.264.avc")
_add("codec", "h265", "x265 h265 h.265 x.265 hevc hevc10 x265.hevc h265.hevc hevc.x265 h.265.hevc")
_add("codec", "xvid", "xvid xvidhd")
_add("codec", "divx", "divx divx5 divx6")
_add("codec", "av1", "av1")
_add("codec", "vc1", "vc1 vc.1")
_add("codec", "mpeg2", "mpeg2 mpeg.2 mpeg")
_add("codec", "mpeg4", "mpeg4 mpeg.4 mp4v")
_add("codec", "vp9", "vp9")
_add("codec", "h263", "h263")
_add("codec", "realvideo", "rv10 rv20 rv30 rv40 realvideo")

# ---------------------------------------------------------------- audio
_AUDIO = {
    "ac3": "ac3 dd dolby.digital dolbydigital ac.3 dd.ac3",
    "eac3": "eac3 e.ac3 ddp dd+ ddplus dd.plus e.ac.3",
    "dts": "dts",
    "dts-hd": "dts.hd dtshd dts.hd.ma dtshd.ma dtshdma dts.ma dts.hr dts.hd.hra dts.hd.hr",
    "dts-x": "dts.x dtsx",
    "dts-es": "dts.es",
    "truehd": "truehd true.hd",
    "atmos": "atmos dolby.atmos",
    "aac": "aac he.aac aaclc aac.lc heaac",
    "flac": "flac",
    "mp3": "mp3 lame",
    "mp2": "mp2",
    "opus": "opus",
    "pcm": "pcm lpcm",
    "vorbis": "vorbis ogg",
}
_CHANNELS = {"1.0": "1.0", "2.0": "2.0", "2.1": "2.1", "5.1": "5.1", "6.1": "6.1", "7.1": "7.1"}
for _codec, _keys in _AUDIO.items():
    _add("audio", _codec, _keys)
    for _k in _keys.split():
        for _ch in _CHANNELS:
            _a, _b = _ch.split(".")
            # DD5.1 -> tokens "dd5","1"; DD.5.1 -> "dd","5","1" (3 tokens: fits MAX_PHRASE)
            for _key in (f"{_k}{_a}.{_b}", f"{_k}.{_a}.{_b}", f"{_k}{_a}{_b}"):
                if _key.count(".") < MAX_PHRASE:
                    _add("audio", _codec, _key)
                    _add("audio", _ch, _key)
WEAK.update({"dd", "lame", "ogg", "mp2", "opus", "vorbis"})
for _ch in _CHANNELS:
    _add("audio", _ch, _ch)
_add("audio", "2.0", "2ch stereo")
_add("audio", "5.1", "6ch 5ch 5.1ch")
_add("audio", "7.1", "8ch 7.1ch")
_add("audio", "1.0", "mono 1ch")
WEAK.update({"stereo", "mono"})
_add("audio", "dts-hd", "dts.hd.ma.5.1 dts.hd.ma.7.1")
_add("audio", "ac3", "ac3d")
_add("audio", "truehd", "truehd.atmos")
_add("audio", "atmos", "truehd.atmos")
_add("audio", "eac3", "ddpa ddp.atmos")
_add("audio", "atmos", "ddpa ddp.atmos")

# ---------------------------------------------------------------- languages
_LANGS = {
    "it": "italian italiano ita",
    "fr": "french francais français fre fra truefrench vff vfq vf2 vfi vf vfb",
    "de": "german deutsch ger deu",
    "es": "spanish espanol español castellano spa esp latino",
    "en": "english eng",
    "nl": "dutch flemish nld",
    "ru": "russian rus",
    "ja": "japanese jap jpn",
    "ko": "korean kor",
    "zh": "chinese mandarin cantonese chi chs cht",
    "hi": "hindi hin",
    "ta": "tamil",
    "te": "telugu",
    "pt": "portuguese portugues por brazilian",
    "pl": "polish pol",
    "sv": "swedish swe",
    "da": "danish dan",
    "no": "norwegian nor",
    "fi": "finnish fin",
    "cs": "czech cze ces",
    "hu": "hungarian hun",
    "tr": "turkish tur türkçe turkce tr.dublaj",
    "ar": "arabic ara",
    "he": "hebrew heb",
    "el": "greek gre ell",
    "ro": "romanian rum ron",
    "uk": "ukrainian ukr",
    "vi": "vietnamese vie",
    "th": "thai",
    "is": "icelandic ice isl",
    "sk": "slovak slo",
    "sl": "slovenian",
    "hr": "croatian hrv",
    "sr": "serbian srp",
    "bg": "bulgarian bul",
    "et": "estonian est",
    "lv": "latvian",
    "lt": "lithuanian lit",
    "fa": "persian farsi",
    "id": "indonesian ind",
    "ms": "malay",
    "multi": "multi multilang multilanguage multi.audio multi.lang",
    "ca": "catalan",
    "ml": "malayalam",
    "bn": "bengali",
}
for _code, _words in _LANGS.items():
    _add("lang", _code, _words, weak=True)
for _t in ("truefrench", "vff", "vfq", "vf2", "vfi", "vfb", "latino"):
    _add("tag", _t.upper(), _t, weak=True)
_add("tag", "DUAL", "dual dual.audio dualaudio", weak=True)
for _lw, _lc in (
    ("german", "de"),
    ("ger", "de"),
    ("french", "fr"),
    ("italian", "it"),
    ("ita", "it"),
    ("spanish", "es"),
    ("dutch", "nl"),
    ("polish", "pl"),
):
    _add("lang", _lc, _lw + ".dl", weak=True)
    _add("lang", "multi", _lw + ".dl", weak=True)
_add("lang", "de", "swissgerman", weak=True)
_add("lang", "multi", "dual.audio dualaudio", weak=True)
#: tokens after which language tokens are subtitle languages
LANG_WORDS_SUB_PREFIX: Final[frozenset[str]] = frozenset(
    {
        "sub",
        "subs",
        "st",
        "subtitle",
        "subtitles",
        "subtitulado",
        "subtitulos",
        "subbed",
        "legendado",
        "soft",
        "hardsub",
    }
)
_SUBS = {
    "fr": "vostfr vost stfr subfrench subfr subforced",
    "it": "subita subsita",
    "nl": "nlsub nlsubs nlsubbed",
    "en": "engsub engsubs esub esubs",
    "es": "subesp",
    "de": "subger",
    "multi": "multisub multisubs multi.subs multi.sub",
    "sv": "swesub swesubs",
    "da": "dksubs",
    "no": "nosubs",
    "he": "hebsubs hebsub",
    "fi": "finsub",
    "ko": "korsub korsubs",
    "pl": "plsub plsubs",
    "ru": "rusub rusubs",
    "pt": "ptsub ptbrsub",
}
for _code, _words in _SUBS.items():
    _add("sub", _code, _words, weak=True)
_add("tag", "VOSTFR", "vostfr", weak=True)

# ---------------------------------------------------------------- scene tags
_TAGS = {
    "PROPER": "proper",
    "REPACK": "repack rerelease",
    "REAL": "real",
    "RERIP": "rerip",
    "INTERNAL": "internal int",
    "LIMITED": "limited",
    "READNFO": "readnfo read.nfo",
    "DIRFIX": "dirfix dir.fix",
    "NFOFIX": "nfofix nfo.fix",
    "SUBFIX": "subfix sub.fix",
    "SYNCFIX": "syncfix sync.fix",
    "SAMPLEFIX": "samplefix",
    "PROOFFIX": "prooffix",
    "SUBBED": "subbed",
    "DUBBED": "dubbed dub dublado doblado",
    "HDR": "hdr",
    "HDR10": "hdr10",
    "HDR10+": "hdr10+ hdr10plus hdr10p",
    "DV": "dv dovi dolby.vision dolbyvision dv.hdr",
    "HLG": "hlg",
    "SDR": "sdr",
    "10BIT": "10bit 10.bit hi10p hi10 10bits yuv420p10",
    "8BIT": "8bit 8bits",
    "12BIT": "12bit",
    "3D": "3d",
    "SBS": "sbs hsbs half.sbs",
    "OU": "hou half.ou",
    "WS": "ws widescreen",
    "COMPLETE": "complete integral integrale intégrale complete.series miniseries "
    "complete.miniseries lintegrale l'integrale coffret",
    "FS": "fs fullscreen",
    "PAL": "pal",
    "NTSC": "ntsc",
    "SECAM": "secam",
    "HC": "hc hardcoded hardsub hardsubs",
    "UNCENSORED": "uncensored",
    "CENSORED": "censored",
    "RETAIL": "retail",
    "FESTIVAL": "festival",
    "STV": "stv",
    "CONVERT": "convert",
    "HQ": "hq",
    "HYBRID": "hybrid",
    "UPSCALED": "upscaled upscale ai.upscale",
    "RESTORED": "restored",
    "COLORIZED": "colorized",
    "DOCU": "docu doku",
    "HFR": "hfr",
    "XXX": "xxx",
    "EXTRAS": "extras bonus",
    "SAMPLE": "sample",
    "TRAILER": "trailer",
    "FANSUB": "fansub",
    "FASTSUB": "fastsub",
    "CUSTOM": "custom",
    "OAR": "oar",
    "DUPE": "dupe",
    "MD": "md mic.dubbed micdubbed",
    "LD": "ld line.dubbed linedubbed",
    "LINE": "line",
    "SUBPACK": "subpack",
    "DIRCUT": "dircut",
    "NUKED": "nuked",
    "VO": "vo vost",
    "OM": "om",
    "AI": "ai",
    "WEBCAP": "webcap",
    "REENC": "reenc re.enc re.encode",
    "MUX": "mux",
}
for _tag, _words in _TAGS.items():
    _add("tag", _tag, _words, weak=True)
_add("tag", "HDR", "dv.hdr", weak=True)
_add("tag", "REPACK", "repack2 repack3", weak=True)
_add("tag", "PROPER", "proper2", weak=True)

# ---------------------------------------------------------------- editions
_EDITIONS = {
    "Extended": "extended extended.cut extended.edition extended.version ext",
    "Unrated": "unrated",
    "Uncut": "uncut",
    "Director's Cut": "directors.cut director's.cut "
    "directors.edition dc directorscut director.cut directors.version",
    "Remastered": "remastered remaster 4k.remaster 4k.remastered remastered.edition",
    "Theatrical": "theatrical theatrical.cut theatrical.version theatrical.edition",
    "IMAX": "imax imax.edition",
    "Special Edition": "special.edition se special",
    "Collector's Edition": "collectors.edition collector's.edition collector.edition",
    "Criterion": "criterion criterion.collection cc",
    "Final Cut": "final.cut",
    "Ultimate Edition": "ultimate.edition ultimate.cut",
    "Anniversary Edition": "anniversary.edition anniversary",
    "Alternate Cut": "alternate.cut alternative.cut",
    "Fan Edit": "fan.edit",
    "Despecialized": "despecialized",
    "Limited Edition": "limited.edition",
    "Deluxe Edition": "deluxe.edition deluxe",
    "Open Matte": "open.matte",
    "Rogue Cut": "rogue.cut",
    "Black and White": "black.and.white",
}
for _ed, _words in _EDITIONS.items():
    _add("edition", _ed, _words, weak=True)
EDITION_ORDER: Final[tuple[str, ...]] = tuple(_EDITIONS)

# ---------------------------------------------------------------- streaming services
_SERVICES = {
    "AMZN": "amzn amazon",
    "NF": "nf netflix",
    "DSNP": "dsnp dsny disney+ disneyplus dsnyp",
    "ATVP": "atvp atv appletv",
    "HMAX": "hmax hbomax",
    "MAX": "max",
    "HBO": "hbo",
    "HULU": "hulu",
    "PCOK": "pcok peacock",
    "iT": "it itunes",
    "PMTP": "pmtp paramount+",
    "CRAV": "crav crave",
    "STAN": "stan",
    "iP": "ip iplayer bbc",
    "ALL4": "all4",
    "ITVX": "itvx itv",
    "MY5": "my5",
    "CR": "cr crunchyroll",
    "FUNI": "funi funimation",
    "HIDIVE": "hidive",
    "SHO": "sho",
    "STZ": "stz starz",
    "AMC": "amc",
    "RED": "red",
    "YT": "yt youtube",
    "VUDU": "vudu",
    "MA": "ma",
    "CC": "cc",
    "NOW": "now",
    "SKST": "skst",
    "ROKU": "roku",
    "TUBI": "tubi",
    "PLUT": "plut",
    "DCU": "dcu",
    "CBS": "cbs",
    "NBC": "nbc",
    "FOX": "fox",
    "ABC": "abc",
    "AE": "ae",
    "DSCP": "dscp",
    "BCORE": "bcore",
    "MUBI": "mubi",
    "CRKL": "crkl",
    "JOYN": "joyn",
    "RTL": "rtl",
    "ZDF": "zdf",
    "ARD": "ard",
    "VIAP": "viap",
    "VRV": "vrv",
    "NFLX": "nflx",
    "APTV": "aptv",
    "FXNOW": "fxnow",
    "DSNY": "dsny",
    "SHOUDER": "shoudder",
    "ANPL": "anpl",
    "DISC": "disc",
    "TVNZ": "tvnz",
    "SBS": "sbs.ondemand",
    "KNOW": "know",
    "PBS": "pbs",
    "NICK": "nick",
    "TFOU": "tfou",
    "CRIT": "crit",
    "DM": "dm",
}
for _svc, _words in _SERVICES.items():
    _add("service", _svc, _words, weak=True)
#: services whose code is also a common word or another tag: only a service right before WEB
AMBIGUOUS_SERVICES: Final[frozenset[str]] = frozenset(
    {
        "it",
        "max",
        "stan",
        "red",
        "ma",
        "cc",
        "now",
        "ip",
        "bbc",
        "amc",
        "ae",
        "fox",
        "abc",
        "nick",
        "disc",
        "know",
        "cr",
        "dm",
        "yt",
        "sho",
        "hbo",
        "nbc",
        "cbs",
        "pbs",
        "itv",
        "roku",
        "amazon",
        "netflix",
        "hulu",
        "crit",
        "dcu",
        "sbs.ondemand",
        "all4",
        "my5",
        "stz",
        "starz",
    }
)

# ---------------------------------------------------------------- containers & extensions
CONTAINERS: Final[frozenset[str]] = frozenset(
    {
        "mkv",
        "mp4",
        "avi",
        "m4v",
        "mov",
        "wmv",
        "mpg",
        "mpeg",
        "m2ts",
        "ts",
        "ogm",
        "ogv",
        "webm",
        "flv",
        "divx",
        "iso",
        "img",
        "vob",
        "rmvb",
        "rm",
        "3gp",
        "asf",
        "m2v",
        "mk3d",
    }
)
EXTENSIONS: Final[frozenset[str]] = CONTAINERS | frozenset(
    {
        "srt",
        "sub",
        "idx",
        "ass",
        "ssa",
        "nfo",
        "txt",
        "torrent",
        "nzb",
        "sfv",
        "par2",
        "rar",
        "zip",
        "7z",
        "jpg",
        "png",
        "md5",
        "mka",
        "smi",
        "vtt",
    }
)
for _c in CONTAINERS - {"ts", "divx", "iso", "img", "rm", "mpeg"}:
    _add("container", _c, _c)
WEAK.update({"mov", "flv", "asf"})

# ---------------------------------------------------------------- misc technical
_add(
    "other",
    "",
    "audio v0 v1 v2 v3 v4 v5 preair hi444pp 60fps 50fps "
    "24fps 23.976 25fps 30fps 120fps 48fps vfr cfr dxva hevc.10bit",
    weak=True,
)
WEAK.update({"hd", "sd"})

# ---------------------------------------------------------------- websites
#: site-like names that are release groups: "[YTS.MX]"
GROUP_SITES: Final[frozenset[str]] = frozenset({"yts", "yify", "ytsmx"})
WEBSITES: Final[frozenset[str]] = frozenset(
    {
        "rarbg",
        "rartv",
        "eztv",
        "ettv",
        "tgx",
        "torrentgalaxy",
        "eztv.re",
        "eztv.io",
        "rarbg.to",
        "1337x",
        "1337x.to",
        "ettv.tv",
        "rarbg.com",
        "torrenting.com",
        "tvu.org.ru",
        "publichd",
        "etrg",
        "kat",
        "tpb",
        "limetorrents",
        "zooqle",
        "glodls",
        "ettv.to",
        "eztvx.to",
        "nyaa",
        "sharethefiles.com",
        "tntvillage",
        "ilcorsaronero",
        "mkvcage",
        "yify.torrent",
    }
)
for _w in WEBSITES:
    _add("site", _w, _w, weak=True)

# ---------------------------------------------------------------- countries (title suffixes)
#: words that uploaders and indexers append after the group: "-GRP-xpost", "-GRP-Obfuscated"
POST_SUFFIXES: Final[frozenset[str]] = frozenset(
    {
        "xpost",
        "postbot",
        "asrequested",
        "obfuscated",
        "scrambled",
        "sample",
        "proof",
        "rakuv",
        "repost",
        "rp",
        "buymore",
        "nzbgeek",
        "chamele0n",
        "rarbg",
        "eztv",
        "ettv",
        "rartv",
        "ethd",
        "1",
        "2",
        "3",
        "4",
        "5",
        "6",
        "7",
        "8",
        "9",
        "0",
    }
)
#: ISO 3166-1 alpha-2; UK becomes GB
COUNTRIES: Final[dict[str, str]] = {
    "us": "US",
    "usa": "US",
    "uk": "GB",
    "gb": "GB",
    "au": "AU",
    "nz": "NZ",
    "ca": "CA",
    "ie": "IE",
    "fr": "FR",
    "de": "DE",
    "be": "BE",
    "nl": "NL",
    "se": "SE",
    "dk": "DK",
    "no": "NO",
    "mx": "MX",
    "br": "BR",
    "za": "ZA",
    "in": "IN",
    "jp": "JP",
    "kr": "KR",
}
#: countries that are only accepted in upper case (otherwise they are words)
SEASON_WORDS: Final[frozenset[str]] = frozenset(
    {
        "season",
        "seasons",
        "saison",
        "saisons",
        "temporada",
        "temporadas",
        "temp",
        "stagione",
        "stagioni",
        "staffel",
        "staffeln",
        "sezon",
        "sezonul",
        "sezona",
        "sezonu",
        "sezony",
        "seizoen",
        "series",
        "säsong",
        "sæson",
        "kausi",
        "sesong",
        "serie",
        "sezóna",
        "évad",
        "сезон",
        "сезона",
        "сезоны",
        "сезонов",
        "сезони",
    }
)
EPISODE_WORDS: Final[frozenset[str]] = frozenset(
    {
        "episode",
        "episodes",
        "ep",
        "eps",
        "epi",
        "episodio",
        "episodios",
        "episodi",
        "épisode",
        "épisodes",
        "episódio",
        "episódios",
        "folge",
        "folgen",
        "cap",
        "capitulo",
        "capítulo",
        "capitulos",
        "capítulos",
        "odcinek",
        "odcinki",
        "odc",
        "afl",
        "aflevering",
        "jakso",
        "avsnitt",
        "puntata",
        "puntate",
        "bölüm",
        "bolum",
        "bölümler",
        "epizod",
        "epizoda",
        "серия",
        "серии",
        "серий",
        "эпизод",
        "эпизоды",
        "выпуск",
        "выпуски",
        "серія",
        "серії",
    }
)
#: words between a season/episode range and its total: "Серии 1-8 из 10", "1 of 8"
TOTAL_WORDS: Final[frozenset[str]] = frozenset({"из", "of", "de", "di", "von", "z", "/"})
#: words after a number that make it an ordinal: "2nd Season", "2ª Temporada", "2-й сезон"
ORDINAL_SUFFIXES: Final[tuple[str, ...]] = (
    "st",
    "nd",
    "rd",
    "th",
    "ª",
    "º",
    "°",
    "er",
    "e",
    "ème",
    "eme",
    "a",
    "o",
)
ORDINAL_WORDS: Final[frozenset[str]] = frozenset(
    {"й", "я", "ой", "ий", "ая", "th", "nd", "rd", "st"}
)
#: "Complete" and its translations: a pack word, and an ordinary word in a title (left to the
#: tag rules there)
COMPLETE_WORDS: Final[frozenset[str]] = frozenset(
    {
        "complete",
        "completa",
        "completo",
        "complète",
        "complet",
        "completas",
        "completos",
        "completed",
        "komplett",
        "kompletna",
        "komplet",
        "integral",
        "integrale",
        "intégrale",
    }
)
#: pack words cut from the end of a title ("The Matrix Trilogy (1999-2003)")
PACK_TITLE_WORDS: Final[frozenset[str]] = frozenset(
    {
        "collection",
        "coleccion",
        "colección",
        "collezione",
        "kolekcja",
        "sammlung",
        "trilogy",
        "trilogia",
        "trilogía",
        "trilogie",
        "trylogia",
        "duology",
        "dilogy",
        "quadrilogy",
        "tetralogy",
        "pentalogy",
        "hexalogy",
        "anthology",
        "boxset",
        "коллекция",
        "трилогия",
        "дилогия",
        "тетралогия",
        "квадрилогия",
        "пенталогия",
        "гексалогия",
        "антология",
        "üçleme",
        "koleksiyonu",
        "koleksiyon",
        "全集",
        "合集",
    }
)
#: words that make a name a pack (several films or every season): "Complete", "Трилогия"
PACK_WORDS: Final[frozenset[str]] = COMPLETE_WORDS | PACK_TITLE_WORDS
ROMAN: Final[dict[str, int]] = {
    "i": 1,
    "ii": 2,
    "iii": 3,
    "iv": 4,
    "v": 5,
    "vi": 6,
    "vii": 7,
    "viii": 8,
    "ix": 9,
    "x": 10,
    "xi": 11,
    "xii": 12,
    "xiii": 13,
    "xiv": 14,
    "xv": 15,
    "xvi": 16,
    "xvii": 17,
    "xviii": 18,
    "xix": 19,
    "xx": 20,
}
#: folder names that say nothing about the release itself
GENERIC_FOLDERS: Final[frozenset[str]] = frozenset(
    {
        "movies",
        "movie",
        "films",
        "film",
        "series",
        "tv",
        "tv shows",
        "tvshows",
        "shows",
        "videos",
        "video",
        "downloads",
        "download",
        "media",
        "home",
        "complete",
        "torrents",
        "incoming",
        "anime",
        "mnt",
        "data",
        "share",
        "public",
        "users",
        "volumes",
        "disk",
        "library",
        "new",
        "done",
        "completed",
        "tmp",
        "temp",
        "dl",
        "storage",
        "nas",
        "plex",
        "seeding",
        "extras",
        "featurettes",
        "sample",
        "subs",
        "subtitles",
        "season",
        "specials",
        "",
        "4k",
        "hd",
        "uhd",
    }
)

#: categories that always end a title
STRONG_CATEGORIES: Final[frozenset[str]] = frozenset({"res", "src", "codec", "audio", "container"})

#: keys that always end a title: a strong category and not an ordinary word
STRONG_KEYS: Final[frozenset[str]] = frozenset(
    k
    for k, entry in PHRASES.items()
    if k not in WEAK and any(cat in STRONG_CATEGORIES for cat, _ in entry)
)

#: tag words that are trimmed from the end of a title before the year even in Title case
TITLE_TRIM_KEYS: Final[frozenset[str]] = frozenset(
    {k for k, entry in PHRASES.items() if entry[0][0] == "lang" and len(k) >= 5 and "." not in k}
    | {"extended", "unrated", "uncut", "remastered", "imax", "directors.cut", "dc"}
)

PREFIX2: Final[frozenset[str]] = frozenset(k.split(".")[0] for k in PHRASES if k.count(".") >= 1)
PREFIX3: Final[frozenset[str]] = frozenset(k.split(".")[0] for k in PHRASES if k.count(".") >= 2)

#: flags of :data:`TOKEN_INFO`: the token starts a two- / three-token phrase, or is a
#: season/episode word (and no phrase of its own)
PHRASE2_FLAG: Final = 1
PHRASE3_FLAG: Final = 2
MARKER_WORD_FLAG: Final = 4


def _token_info() -> dict[str, TokenInfo]:
    seconds2: dict[str, set[str]] = {}
    seconds3: dict[str, set[str]] = {}
    for key in PHRASES:
        parts = key.split(".")
        if len(parts) == 2:
            seconds2.setdefault(parts[0], set()).add(parts[1])
        elif len(parts) == 3:
            seconds3.setdefault(parts[0], set()).add(parts[1])
    info: dict[str, TokenInfo] = {}
    keys = PREFIX2 | PREFIX3 | {k for k in PHRASES if "." not in k} | SEASON_WORDS | EPISODE_WORDS
    for key in keys:
        flags = (PHRASE2_FLAG if key in seconds2 else 0) | (PHRASE3_FLAG if key in seconds3 else 0)
        entry = PHRASES.get(key)
        if entry is None and key.isalpha() and (key in SEASON_WORDS or key in EPISODE_WORDS):
            flags |= MARKER_WORD_FLAG
        if flags or entry is not None:
            info[key] = (
                flags,
                entry,
                key in STRONG_KEYS,
                frozenset(seconds2.get(key, ())),
                frozenset(seconds3.get(key, ())),
            )
    return info


#: one lookup per token: (flags, its single-token entry or None, is it strong, the second
#: tokens of its two-token phrases, the second tokens of its three-token phrases)
TOKEN_INFO: Final = _token_info()
