"""`atlas synth`: a synthetic content folder at national scale, for load tests.

The corpus has the shapes of the real national figures (about 4,800 collectivités,
12,000 partnerships, 140 countries, about one project per partnership) but every name
says "synthétique": nothing in it describes a real collectivité or a real partner.

- long-tailed number of partnerships: a few régions and départements with dozens,
  most communes with one or two;
- countries weighted like the national ones (Germany, United Kingdom, Belgium, Italy,
  Poland, Senegal, Morocco, Burkina Faso...), then a long tail;
- about 30 % of partners unknown (`partenaire: inconnu`); known partners are shared by
  several collectivités (synergies) and placed inside their country's shape;
- seats inside France, near the prefecture of their département;
- every fact cites a key of the controlled lists copied beside it.

Deterministic: the same arguments give a byte-identical folder (random.Random(seed),
fixed years, no set iteration, no timestamps).
"""
from __future__ import annotations

import random
import shutil
from pathlib import Path

import yaml

from atlas.content import countries, gazetteer

REPO_CONTENT = Path(__file__).resolve().parents[3] / "content"
LIST_FILES = ("thematiques.yml", "sources.yml", "reseaux.yml", "zones.yml")
MARKER = "# atlas synth : fiche synthétique, ne décrit aucune collectivité réelle."
# Fixed, not today's year: the corpus must not change with the date (and stays ≤ the current year).
LAST_YEAR = 2024
NATIONAL = {"collectivites": 4800, "partnerships": 12000, "countries": 140}
SHARE_UNKNOWN_PARTNER = 0.30
SHARE_UNKNOWN_PARTNERSHIPS = 0.03  # collectivités whose file says `partenariats: inconnus`

ZONES = ("union-europeenne", "europe-hors-ue", "afrique-subsaharienne", "afrique-nord-moyen-orient",
         "amerique-nord", "amerique-latine-caraibes", "asie", "oceanie")

# Département → (prefecture lat, lon). Metropolitan France only.
DEPARTEMENTS = {
    "01": (46.205, 5.225), "02": (49.564, 3.620), "03": (46.566, 3.333), "04": (44.092, 6.236),
    "05": (44.559, 6.079), "06": (43.710, 7.262), "07": (44.735, 4.599), "08": (49.773, 4.720),
    "09": (42.965, 1.607), "10": (48.297, 4.074), "11": (43.213, 2.351), "12": (44.350, 2.575),
    "13": (43.296, 5.370), "14": (49.183, -0.370), "15": (44.927, 2.444), "16": (45.648, 0.156),
    "17": (46.160, -1.151), "18": (47.081, 2.398), "19": (45.267, 1.770), "2A": (41.919, 8.738),
    "2B": (42.697, 9.450), "21": (47.322, 5.041), "22": (48.514, -2.765), "23": (46.171, 1.871),
    "24": (45.184, 0.721), "25": (47.238, 6.024), "26": (44.933, 4.892), "27": (49.024, 1.151),
    "28": (48.446, 1.489), "29": (47.996, -4.102), "30": (43.837, 4.360), "31": (43.605, 1.444),
    "32": (43.646, 0.586), "33": (44.838, -0.579), "34": (43.611, 3.877), "35": (48.117, -1.678),
    "36": (46.811, 1.686), "37": (47.394, 0.685), "38": (45.188, 5.724), "39": (46.675, 5.555),
    "40": (43.890, -0.500), "41": (47.586, 1.336), "42": (45.440, 4.387), "43": (45.043, 3.885),
    "44": (47.218, -1.554), "45": (47.903, 1.909), "46": (44.448, 1.441), "47": (44.203, 0.616),
    "48": (44.518, 3.500), "49": (47.478, -0.563), "50": (49.116, -1.091), "51": (48.957, 4.363),
    "52": (48.111, 5.139), "53": (48.073, -0.770), "54": (48.692, 6.184), "55": (48.773, 5.160),
    "56": (47.658, -2.760), "57": (49.120, 6.176), "58": (46.990, 3.159), "59": (50.629, 3.057),
    "60": (49.430, 2.081), "61": (48.432, 0.091), "62": (50.291, 2.777), "63": (45.778, 3.087),
    "64": (43.295, -0.370), "65": (43.233, 0.078), "66": (42.699, 2.895), "67": (48.573, 7.752),
    "68": (48.079, 7.358), "69": (45.764, 4.836), "70": (47.622, 6.155), "71": (46.307, 4.828),
    "72": (48.006, 0.199), "73": (45.564, 5.918), "74": (45.899, 6.129), "75": (48.857, 2.352),
    "76": (49.443, 1.099), "77": (48.540, 2.660), "78": (48.805, 2.120), "79": (46.323, -0.459),
    "80": (49.894, 2.296), "81": (43.929, 2.148), "82": (44.018, 1.355), "83": (43.124, 5.928),
    "84": (43.949, 4.806), "85": (46.670, -1.426), "86": (46.580, 0.340), "87": (45.834, 1.262),
    "88": (48.173, 6.449), "89": (47.798, 3.567), "90": (47.640, 6.863), "91": (48.629, 2.441),
    "92": (48.892, 2.207), "93": (48.909, 2.439), "94": (48.790, 2.455), "95": (49.036, 2.076),
}
# Région INSEE code → (name, départements, département of the capital).
REGIONS = {
    "11": ("Île-de-France", ["75", "77", "78", "91", "92", "93", "94", "95"], "75"),
    "24": ("Centre-Val de Loire", ["18", "28", "36", "37", "41", "45"], "45"),
    "27": ("Bourgogne-Franche-Comté", ["21", "25", "39", "58", "70", "71", "89", "90"], "21"),
    "28": ("Normandie", ["14", "27", "50", "61", "76"], "76"),
    "32": ("Hauts-de-France", ["02", "59", "60", "62", "80"], "59"),
    "44": ("Grand Est", ["08", "10", "51", "52", "54", "55", "57", "67", "68", "88"], "67"),
    "52": ("Pays de la Loire", ["44", "49", "53", "72", "85"], "44"),
    "53": ("Bretagne", ["22", "29", "35", "56"], "35"),
    "75": ("Nouvelle-Aquitaine", ["16", "17", "19", "23", "24", "33", "40", "47", "64", "79", "86", "87"], "33"),
    "76": ("Occitanie", ["09", "11", "12", "30", "31", "32", "34", "46", "48", "65", "66", "81", "82"], "31"),
    "84": ("Auvergne-Rhône-Alpes", ["01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74"], "69"),
    "93": ("Provence-Alpes-Côte d'Azur", ["04", "05", "06", "13", "83", "84"], "13"),
    "94": ("Corse", ["2A", "2B"], "2A"),
}
REGION_OF = {dep: code for code, (_, deps, _) in REGIONS.items() for dep in deps}
METRO_CENTRE = (46.6, 2.4)

# Countries in the order of the national figures (most partnerships first), then a long tail.
COUNTRY_ORDER = [
    "DE", "GB", "BE", "IT", "PL", "SN", "MA", "BF", "ES", "ML", "RO", "PT", "US", "CA", "BJ", "CM", "MG", "TN",
    "DZ", "NE", "HT", "VN", "CN", "JP", "BR", "IL", "PS", "LB", "HU", "CZ", "SK", "UA", "RU", "MD", "AM", "GR",
    "NL", "LU", "AT", "CH", "IE", "SE", "NO", "DK", "FI", "LT", "LV", "EE", "BG", "HR", "SI", "RS", "BA", "AL",
    "MK", "TR", "GN", "CI", "TG", "MR", "CV", "GA", "CG", "CD", "TD", "CF", "RW", "BI", "KM", "DJ", "MU", "EG",
    "JO", "IN", "KH", "LA", "TH", "KR", "MX", "CL", "AR", "PE", "BO", "CO", "EC", "CU", "NI", "GT", "HN", "SV",
    "DO", "UY", "PY", "VE", "CR", "PA", "GE", "AZ", "KZ", "UZ", "MN", "ID", "PH", "MY", "TW", "AU", "NZ", "ZA",
    "KE", "ET", "TZ", "UG", "GH", "NG", "MZ", "AO", "ZM", "ZW", "NA", "BW", "MW", "SD", "LY", "SY", "IQ", "IR",
    "AF", "PK", "BD", "NP", "LK", "MM", "QA", "AE", "SA", "CY", "MT", "IS", "ME", "XK", "BY", "SG", "KG", "TJ",
    "NC", "PF", "VU", "GW", "SL", "LR", "GM",
]
NOT_PARTNERS = {"FR", "AQ", "HM", "GS", "TF", "BV", "IO", "UM"}
NEIGHBOURS = {"BE", "DE", "LU", "CH", "IT", "ES", "AD", "MC"}
EU = {"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU",
      "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "AX"}
EUROPE_OTHER = {"GB", "CH", "NO", "IS", "LI", "MC", "SM", "VA", "AD", "UA", "RU", "BY", "MD", "RS", "BA",
                "AL", "MK", "ME", "XK", "TR", "GE", "AM", "AZ", "GG", "JE", "IM", "FO"}
NORTH_AFRICA_MIDDLE_EAST = {"MA", "DZ", "TN", "LY", "EG", "EH", "IL", "PS", "LB", "JO", "SY", "IQ", "IR",
                            "SA", "AE", "QA", "KW", "BH", "OM", "YE"}
NORTH_AMERICA = {"US", "CA", "PM", "GL", "BM"}
ASIA = {"TM", "KZ", "UZ", "KG", "TJ", "AF"}
SUBSAHARAN_AFRICA = {"MR", "CV", "SD", "SS", "ER", "DJ", "SO", "ST", "SH", "SC", "KM", "MU", "MG"}
OCEANIA = {"AU", "NZ", "PG", "FJ", "SB", "VU", "NC", "PF", "WS", "TO", "KI", "TV", "NR", "MH", "FM", "PW",
           "GU", "MP", "AS", "CK", "NU", "WF", "NF", "PN"}

COMMUNE_PARTNER_KINDS = [("commune", 80), ("village", 7), ("region", 6), ("province", 4), ("intercommunalite", 3)]
BIG_PARTNER_KINDS = [("region", 45), ("province", 20), ("etat-federe", 10), ("commune", 25)]
KIND_LABEL = {"commune": "Ville", "village": "Village", "region": "Région", "province": "Province",
              "intercommunalite": "Intercommunalité", "etat-federe": "État fédéré"}
STATUSES = [("actif", 60), ("en-veille", 12), ("termine", 8), ("en-projet", 5), ("inconnu", 5), (None, 10)]
FORMS = ["elu-delegue", "service-relations-internationales", "comite-de-jumelage", "delegation-association", "autre"]
COFINANCERS = ["Ministère de l'Europe et des Affaires étrangères (synthétique)", "Union européenne (synthétique)",
               "Agence de l'eau synthétique", "Fondation synthétique"]

# Used when the repository's controlled lists are not available.
EMBEDDED_LISTS = {
    "zones.yml": "\n".join(f"- cle: {z}\n  libelle: Zone {z}" for z in ZONES) + "\n",
    "thematiques.yml": "- cle: eau-assainissement\n  libelle: Eau et assainissement\n"
                       "- cle: education-jeunesse\n  libelle: Éducation et jeunesse\n"
                       "- cle: culture-patrimoine\n  libelle: Culture et patrimoine\n"
                       "- cle: gouvernance-locale\n  libelle: Gouvernance locale\n"
                       "- cle: developpement-economique\n  libelle: Développement économique\n",
    "sources.yml": "- cle: source-synthetique-1\n  titre: Source synthétique 1\n  date: 2020\n"
                   "- cle: source-synthetique-2\n  titre: Source synthétique 2\n  date: 2022\n",
    "reseaux.yml": "- cle: reseau-synthetique\n  nom: Réseau synthétique\n  sources: [source-synthetique-1]\n",
}


# ---------------------------------------------------------------- YAML output

class _Flow(dict):
    """A mapping written on one line ({lat: .., lon: ..})."""


class _FlowList(list):
    """A list written on one line ([a, b])."""


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):
    def ignore_aliases(self, data):  # a shared partner is written out in full, never as &id001
        return True


_Dumper.add_representer(_Flow, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v.items(), flow_style=True))
_Dumper.add_representer(_FlowList, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True))


def _dump(data, header: str) -> str:
    body = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=110, default_flow_style=False)
    return f"{header}\n{body}"


# ---------------------------------------------------------------- geography

def _real_communes(departements: list[str]) -> dict[str, list]:
    """Per département, its communes whose name no other commune of France bears (so that two
    synthetic fiches never share an alias), in code order: the same corpus for the same seed."""
    table = gazetteer._communes()[0]
    names: dict[str, int] = {}
    for c in table.values():
        names[gazetteer.key(c.name)] = names.get(gazetteer.key(c.name), 0) + 1
    real: dict[str, list] = {d: [] for d in departements}
    for code in sorted(table):
        c = table[code]
        if c.kind == "C" and c.departement in real and names[gazetteer.key(c.name)] == 1:
            real[c.departement].append(c)
    return real


def zone_of(code: str) -> str:
    for zone, members in (("union-europeenne", EU), ("europe-hors-ue", EUROPE_OTHER),
                          ("afrique-nord-moyen-orient", NORTH_AFRICA_MIDDLE_EAST),
                          ("amerique-nord", NORTH_AMERICA), ("oceanie", OCEANIA), ("asie", ASIA),
                          ("afrique-subsaharienne", SUBSAHARAN_AFRICA)):
        if code in members:
            return zone
    lat, lon = countries.centroid(code) or (0.0, 0.0)
    if lon < -25:
        return "amerique-latine-caraibes"
    if lon < 60:
        if lat < 20:
            return "afrique-subsaharienne"
        return "europe-hors-ue" if lat >= 35 else "afrique-nord-moyen-orient"
    return "asie"


def country_order() -> list[str]:
    """Every usable country code: the national order first, then the others alphabetically."""
    table = countries.shapes()
    usable = [c for c in sorted(table.index) if c not in NOT_PARTNERS and countries.is_valid(c)]
    head = [c for c in dict.fromkeys(COUNTRY_ORDER) if c in usable]
    return head + [c for c in usable if c not in head]


class _Geo:
    """Points inside shapes (prepared geometries, checked with contains after rounding)."""

    def __init__(self, rng: random.Random):
        import shapely

        self.rng = rng
        self.shapely = shapely
        self.table = countries.shapes()
        self._prepared: dict = {}

    def _geom(self, code: str):
        if code not in self._prepared:
            geom = self.table.geometry.loc[code]
            self.shapely.prepare(geom)
            self._prepared[code] = geom
        return self._prepared[code]

    def inside(self, code: str, lat: float, lon: float) -> bool:
        return bool(self.shapely.contains_xy(self._geom(code), lon, lat))

    def _ok(self, code: str, lat: float, lon: float) -> tuple[float, float] | None:
        lat, lon = round(lat, 4), round(lon, 4)
        return (lat, lon) if -90 <= lat <= 90 and -180 <= lon <= 180 and self.inside(code, lat, lon) else None

    def point_in_country(self, code: str) -> tuple[float, float]:
        geom = self._geom(code)
        minx, miny, maxx, maxy = geom.bounds
        rng = self.rng
        if maxx - minx < 180:  # uniform in the bounding box (not for shapes crossing the antimeridian)
            for _ in range(40):
                hit = self._ok(code, rng.uniform(miny, maxy), rng.uniform(minx, maxx))
                if hit:
                    return hit
        rep = geom.representative_point()
        scale = min(1.0, 0.05 * max(maxy - miny, min(maxx - minx, 40.0)))
        for _ in range(40):
            hit = self._ok(code, rep.y + rng.gauss(0, scale), rep.x + rng.gauss(0, scale))
            if hit:
                return hit
        return self._ok(code, rep.y, rep.x) or (round(rep.y, 4), round(rep.x, 4))

    def seat(self, dep: str) -> tuple[float, float]:
        """A point inside France near the prefecture of `dep`."""
        lat0, lon0 = DEPARTEMENTS[dep]
        for radius in (0.15, 0.15, 0.15, 0.3, 0.3, 0.6):
            hit = self._ok("FR", lat0 + self.rng.gauss(0, radius), lon0 + self.rng.gauss(0, radius))
            if hit:
                return hit
        for step in range(1, 21):  # the simplified coast can leave the prefecture outside: walk inland
            t = step / 20
            hit = self._ok("FR", lat0 + t * (METRO_CENTRE[0] - lat0), lon0 + t * (METRO_CENTRE[1] - lon0))
            if hit:
                return hit
        return METRO_CENTRE


# ---------------------------------------------------------------- generation

def _pick(rng: random.Random, weighted: list[tuple]):
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


def _sample(rng: random.Random, items: list, k: int) -> list:
    """k distinct items, in the order of `items` (stable output)."""
    chosen = set(rng.sample(range(len(items)), min(k, len(items))))
    return [x for i, x in enumerate(items) if i in chosen]


def _year(rng: random.Random, low: int, high: int = LAST_YEAR, recent: float = 1.0) -> int:
    """A year in [low, high]; recent > 1 favours late years."""
    low = min(low, high)
    return low + int((high - low + 1) * rng.random() ** (1 / recent)) if high > low else low


def _lists(out: Path) -> dict[str, list[dict]]:
    """Copy the controlled lists (the repository's, else a minimal embedded set); return their entries."""
    use_repo = all((REPO_CONTENT / f).is_file() for f in LIST_FILES)
    if use_repo:
        zones = [e.get("cle") for e in yaml.safe_load((REPO_CONTENT / "zones.yml").read_text(encoding="utf-8")) or []]
        use_repo = all(z in zones for z in ZONES)
    entries = {}
    for name in LIST_FILES:
        target = out / name
        if use_repo:
            shutil.copyfile(REPO_CONTENT / name, target)
        else:
            target.write_text(EMBEDDED_LISTS[name], encoding="utf-8")
        entries[name] = [e for e in yaml.safe_load(target.read_text(encoding="utf-8")) or []
                         if isinstance(e, dict) and isinstance(e.get("cle"), str)]
    return entries


def _prepare(out: Path) -> None:
    """Create OUT_DIR; empty the folders a previous synthetic run wrote, refusing real content."""
    out = out.resolve()
    if out == REPO_CONTENT.resolve():
        raise ValueError(f"{out} est le contenu réel de l'atlas : choisissez un autre dossier")
    for sub in ("collectivites", "pays", "statistiques"):
        for f in sorted((out / sub).glob("*.yml")) if (out / sub).is_dir() else []:
            with f.open(encoding="utf-8") as fh:
                first = fh.readline().rstrip("\n")
            if first != MARKER:
                raise ValueError(f"{f} n'a pas été écrit par « atlas synth » : choisissez un dossier vide")
    for sub in ("collectivites", "pays", "statistiques"):
        folder = out / sub
        if folder.is_dir():
            for f in sorted(folder.glob("*.yml")):
                f.unlink()
        folder.mkdir(parents=True, exist_ok=True)


def _type_counts(n: int) -> dict[str, int]:
    """Régions, départements, intercommunalités and communes, scaled from the national mix."""
    scale = n / NATIONAL["collectivites"]
    regions = min(len(REGIONS), max(1, round(13 * scale))) if n >= 4 else 0
    deps = min(len(DEPARTEMENTS), max(1, round(96 * scale))) if n >= 4 else 0
    inter = max(1, round(0.08 * n)) if n >= 4 else 0
    return {"region": regions, "departement": deps, "intercommunalite": inter,
            "commune": n - regions - deps - inter}


class _Partners:
    """Pools of synthetic partners per country, shared between collectivités."""

    def __init__(self, rng: random.Random, geo: _Geo, expected: dict[str, int]):
        self.rng, self.geo = rng, geo
        self.size = {c: max(1, round(0.75 * n)) for c, n in expected.items()}
        self.pool: dict[str, list[dict]] = {c: [] for c in expected}

    def _make(self, code: str, big: bool) -> dict:
        rng = self.rng
        number = len(self.pool[code]) + 1
        kind = _pick(rng, BIG_PARTNER_KINDS if big else COMMUNE_PARTNER_KINDS)
        partner = {"nom": f"{KIND_LABEL[kind]} synthétique {code}-{number:04d}", "type": kind}
        if rng.random() < 0.1:
            partner["alias"] = _FlowList([f"{KIND_LABEL[kind]} {code} {number} (graphie locale)"])
        if rng.random() < 0.9:
            lat, lon = self.geo.point_in_country(code)
            partner["coordonnees"] = _Flow(lat=lat, lon=lon, approximatif=True)
        self.pool[code].append(partner)
        return partner

    def get(self, code: str, taken: set, big: bool) -> dict:
        pool = self.pool[code]
        for _ in range(6):
            if len(pool) < self.size[code] and (not pool or self.rng.random() < 0.6):
                break  # a new partner
            candidate = pool[self.rng.randrange(len(pool))]
            if candidate["nom"] not in taken:
                return candidate
        return self._make(code, big)


def generate(collectivites: int = 4800, partnerships: int = 12000, countries_: int = 140,
             seed: int = 1, lists: dict | None = None) -> dict[str, str]:
    """Relative path → file text of the whole corpus (controlled lists excluded)."""
    if collectivites < 1 or partnerships < 0 or countries_ < 1:
        raise ValueError("il faut au moins une collectivité et un pays")
    rng = random.Random(seed)
    geo = _Geo(random.Random(f"geo-{seed}"))
    lists = lists or {}
    source_keys = [e["cle"] for e in lists.get("sources.yml", [])] or ["source-synthetique-1"]
    theme_keys = [e["cle"] for e in lists.get("thematiques.yml", [])] or ["eau-assainissement"]
    theme_labels = {e["cle"]: str(e.get("libelle", e["cle"])) for e in lists.get("thematiques.yml", [])}
    network_keys = [e["cle"] for e in lists.get("reseaux.yml", [])]
    zone_keys = [e["cle"] for e in lists.get("zones.yml", [])] or list(ZONES)
    zone_labels = {e["cle"]: str(e.get("libelle", e["cle"])) for e in lists.get("zones.yml", [])}

    order = country_order()
    if countries_ > len(order):
        raise ValueError(f"au plus {len(order)} pays disponibles (demandé : {countries_})")
    used = order[:countries_]
    weights = [1 / (i + 1) ** 1.05 for i in range(len(used))]

    # -- collectivités: types, codes, seats
    counts = _type_counts(collectivites)
    if counts["commune"] > 30000:
        raise ValueError("trop de communes : au plus 30 000 (les communes réelles au nom unique)")
    width = max(4, len(str(collectivites)))
    metro_deps = [d for d in DEPARTEMENTS if not d.startswith("2")]  # no Corsican INSEE codes (2A004 is not a schema code)
    records: list[dict] = []
    for code in _sample(rng, list(REGIONS), counts["region"]):
        name, _, capital = REGIONS[code]
        records.append({"type": "region", "code": code, "departement": None, "region": name, "dep_seat": capital})
    for dep in _sample(rng, list(DEPARTEMENTS), counts["departement"]):
        records.append({"type": "departement", "code": dep, "departement": dep, "dep_seat": dep})
    used_codes: dict[tuple[str, str], int] = {}
    # A synthetic commune stands for a real one of its département (its INSEE code, its name as an
    # alias, its centre): the checker's rules on codes and positions run as on real content.
    real = _real_communes(metro_deps)
    for kind in ("intercommunalite", "commune"):
        for _ in range(counts[kind]):
            while True:
                dep = metro_deps[rng.randrange(len(metro_deps))]
                n = used_codes.get((kind, dep), 0) + 1
                if n <= (len(real[dep]) if kind == "commune" else 999999):
                    break
            used_codes[(kind, dep)] = n
            if kind == "commune":
                commune = real[dep][n - 1]
                records.append({"type": kind, "code": commune.code, "departement": dep, "dep_seat": dep, "real": commune})
            else:
                records.append({"type": kind, "code": f"2{dep}{n:06d}", "departement": dep, "dep_seat": dep})
    numbers = {"region": 0, "departement": 0, "intercommunalite": 0, "commune": 0}
    labels = {"region": "Région", "departement": "Département", "intercommunalite": "Intercommunalité",
              "commune": "Commune"}
    for r in records:
        numbers[r["type"]] += 1
        r["nom"] = f"{labels[r['type']]} synthétique {numbers[r['type']]:0{width}d}"
        r["slug"] = r["nom"].lower().replace("é", "e").replace(" ", "-")
        if "region" not in r:
            r["region"] = REGIONS[REGION_OF[r["departement"]]][0]

    # -- long-tailed number of partnerships per collectivité
    # Régions and départements always name their partnerships; `inconnus` falls on small collectivités.
    big_idx = [i for i, r in enumerate(records) if r["type"] in ("region", "departement")]
    small_idx = [i for i, r in enumerate(records) if r["type"] not in ("region", "departement")]
    rng.shuffle(small_idx)
    n_inconnus = min(len(small_idx), round(SHARE_UNKNOWN_PARTNERSHIPS * len(records)))
    candidates = big_idx + small_idx[n_inconnus:]
    with_parts = sorted(candidates[:min(partnerships, len(candidates))])
    per = {i: 1 for i in with_parts}
    tail = []
    for i in with_parts:
        kind = records[i]["type"]
        tail.append(rng.uniform(25, 60) if kind == "region" else rng.uniform(6, 30) if kind == "departement"
                    else rng.uniform(1, 6) if kind == "intercommunalite" else min(rng.paretovariate(1.6) - 1, 8.0) + 0.01)
    for i in rng.choices(with_parts, tail, k=partnerships - len(with_parts)) if with_parts else []:
        per[i] += 1

    # -- countries of the partnerships: every requested country at least once, then by weight
    slots = used[:partnerships] + rng.choices(used, weights, k=max(0, partnerships - len(used)))
    rng.shuffle(slots)
    expected: dict[str, int] = {}
    for c in slots:
        expected[c] = expected.get(c, 0) + 1
    partners = _Partners(rng, geo, {c: round(n * (1 - SHARE_UNKNOWN_PARTNER)) for c, n in expected.items()})

    files: dict[str, str] = {}
    slot = 0
    project_number = 0
    zone_count: dict[str, int] = {}
    for i, r in enumerate(records):
        kind, big = r["type"], r["type"] in ("region", "departement")
        facts = _sample(rng, source_keys, rng.randint(1, min(3, len(source_keys))))
        doc: dict = {"nom": r["nom"]}
        aliases = [r["real"].name] if "real" in r else []
        if rng.random() < 0.15:
            aliases.append(r["nom"].replace("synthétique", "synth."))
        if aliases:
            doc["alias"] = _FlowList(aliases)
        doc["type"] = kind
        doc["code"] = r["code"]
        doc["departement"] = r["departement"]
        doc["region"] = r["region"]
        if kind != "region" and rng.random() < 0.7:
            size = {"commune": 3000, "intercommunalite": 60000, "departement": 600000}[kind]
            doc["population"] = _Flow(valeur=int(size * rng.lognormvariate(0, 1)), annee=_year(rng, 1999, 2021),
                                      source=facts[0])
        town = gazetteer.locate_commune(r["real"]) if "real" in r else None
        lat, lon = (round(town.lat, 4), round(town.lon, 4)) if town else geo.seat(r["dep_seat"])
        doc["siege"] = _Flow(lat=lat, lon=lon, approximatif=True)
        if rng.random() < 0.3:
            doc["site_web"] = f"https://{r['slug']}.example.org"
        if network_keys and (big or rng.random() < 0.1):
            doc["reseaux"] = [{"reseau": k, "sources": _FlowList(_sample(rng, facts, 1))}
                              | ({"depuis": _year(rng, 1980)} if rng.random() < 0.5 else {})
                              for k in _sample(rng, network_keys, rng.randint(1, len(network_keys)))]
        if big or rng.random() < 0.3:
            form = "service-relations-internationales" if big else _pick(
                rng, [("comite-de-jumelage", 50), ("elu-delegue", 30), ("delegation-association", 10), ("autre", 10)])
            doc["organisation"] = [{"forme": form, "precision": f"Organisation synthétique ({form})",
                                    "sources": _FlowList(_sample(rng, facts, 1))}]
        doc["engagement"] = f"Collectivité synthétique générée pour les tests de charge ({per.get(i, 0)} partenariat(s))."
        doc["sources"] = _FlowList(facts)
        if i not in per:
            doc["partenariats"] = "inconnus"
        else:
            parts, taken = [], set()
            for _ in range(per[i]):
                code = slots[slot]
                slot += 1
                zone = zone_of(code)
                zone_count[zone] = zone_count.get(zone, 0) + 1
                europe = zone in ("union-europeenne", "europe-hors-ue")
                p: dict = {}
                if rng.random() < SHARE_UNKNOWN_PARTNER:
                    p["partenaire"] = "inconnu"
                else:
                    partner = partners.get(code, taken, big)
                    taken.add(partner["nom"])
                    p["partenaire"] = partner
                p["pays"] = code
                if code in NEIGHBOURS and rng.random() < 0.1:
                    p["nature"] = "cooperation-transfrontaliere"
                elif europe:
                    p["nature"] = _pick(rng, [("jumelage", 75), ("partenariat", 15), ("accord-de-cooperation", 7), ("autre", 3)])
                else:
                    p["nature"] = _pick(rng, [("cooperation-decentralisee", 65), ("jumelage", 20), ("partenariat", 10),
                                              ("accord-de-cooperation", 5)])
                status = _pick(rng, STATUSES)
                if status:
                    p["statut"] = status
                if rng.random() < 0.8:
                    p["depuis"] = _year(rng, 1950 if europe else 1975, recent=0.8 if europe else 1.5)
                # Themes: most partnerships name none or one; their projects mostly reuse them.
                themes = _sample(rng, theme_keys, _pick(rng, [(0, 45), (1, 35), (2, 15), (3, 5)]))
                if themes:
                    p["thematiques"] = _FlowList(themes)
                if rng.random() < 0.6:
                    p["description"] = (f"Partenariat synthétique ({p['nature']}) avec "
                                        f"{'un partenaire non précisé' if p['partenaire'] == 'inconnu' else p['partenaire']['nom']}"
                                        f", généré pour les tests de charge.")
                projects = []
                n_proj = 0
                if rng.random() < 0.5:
                    n_proj = 1
                    while n_proj < 8 and rng.random() < 0.5:
                        n_proj += 1
                for _ in range(n_proj):
                    project_number += 1
                    if themes and rng.random() < 0.7:
                        proj_themes = [themes[rng.randrange(len(themes))]]
                    else:
                        proj_themes = _sample(rng, theme_keys, 1)
                    if rng.random() < 0.2:
                        proj_themes += [t for t in _sample(rng, theme_keys, 2) if t not in proj_themes][:1]
                    start = _year(rng, max(p.get("depuis", 1990), 1990), recent=1.5)
                    proj: dict = {"titre": f"Projet synthétique {project_number:05d} : "
                                           f"{theme_labels.get(proj_themes[0], proj_themes[0]).lower()}",
                                  "debut": start}
                    if rng.random() < 0.5:
                        proj["fin"] = min(LAST_YEAR, start + rng.randint(0, 5))
                    proj["description"] = "Projet synthétique : actions, formations et échanges de personnels."
                    proj["thematiques"] = _FlowList(proj_themes)
                    if rng.random() < 0.3:
                        proj["cofinanceurs"] = _FlowList(_sample(rng, COFINANCERS, rng.randint(1, 2)))
                    if rng.random() < 0.2:
                        proj["acteurs_ici"] = _FlowList([f"Association synthétique {rng.randint(1, 500):03d}"])
                    if rng.random() < 0.2:
                        proj["chiffres"] = [_Flow(libelle="bénéficiaires", valeur=rng.randint(10, 20000), unite="habitants")]
                    proj["sources"] = _FlowList(_sample(rng, source_keys, 1))
                    projects.append(proj)
                if projects:
                    p["projets"] = projects
                p["sources"] = _FlowList(_sample(rng, source_keys, rng.randint(1, min(2, len(source_keys)))))
                parts.append(p)
            doc["partenariats"] = parts
        files[f"collectivites/{r['slug']}.yml"] = _dump(doc, MARKER)

    # -- one file per country used, with its zone
    for rank, code in enumerate(used[:len(expected)] if partnerships >= len(used) else sorted(expected)):
        doc = {"code": code, "zone": zone_of(code)}
        if rank < 15:
            doc["introduction"] = f"Fiche pays synthétique : {expected[code]} partenariats dans le corpus de test."
            doc["sources"] = [source_keys[rank % len(source_keys)]]
            doc["chiffres"] = [{"libelle": "Partenariats publiés (synthétique)",
                                "valeur": max(1, int(expected[code] * rng.uniform(0.7, 1.1))),
                                "unite": "partenariats", "annee": 2020, "source": source_keys[0]}]
        files[f"pays/{code.lower()}.yml"] = _dump(doc, MARKER)

    # -- one small published table, by zone
    rows = [{"libelle": zone_labels.get(z, z), "valeur": max(1, int(zone_count[z] * rng.uniform(0.8, 1.2))), "zone": z}
            for z in zone_keys if z in zone_count]
    table = {"titre": "Partenariats par zone (tableau synthétique)", "source": source_keys[0], "annee": 2020,
             "perimetre": "Corpus synthétique de test de charge.", "unite": "partenariats",
             "lignes": rows or [{"libelle": "Total", "valeur": partnerships}]}
    files["statistiques/synthetique-par-zone.yml"] = _dump(table, MARKER)
    return files


def write(out: Path, collectivites: int = 4800, partnerships: int = 12000, countries: int = 140,
          seed: int = 1) -> dict[str, int]:
    """Write the synthetic content folder `out`; return the counts written."""
    out = Path(out)
    _prepare(out)
    lists = _lists(out)
    files = generate(collectivites, partnerships, countries, seed, lists)
    for rel, text in files.items():
        (out / rel).write_text(text, encoding="utf-8")
    return {"collectivites": sum(1 for k in files if k.startswith("collectivites/")),
            "pays": sum(1 for k in files if k.startswith("pays/")), "fichiers": len(files) + len(LIST_FILES)}
