"""Command line: `atlas check | new | depuis-formulaire | build | serve | synth`."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def _print_problems(problems, fmt: str, stream=sys.stdout) -> None:
    for p in problems:
        print(p.format_github() if fmt == "github" else p.format(), file=stream)


def cmd_check(args) -> int:
    from atlas.content import checker

    target = Path(args.chemin)
    if target.is_file() or target.suffix in (".yml", ".yaml"):
        if not target.exists():
            print(f"{target}:1: erreur : fichier introuvable", file=sys.stderr)
            return EXIT_PROBLEMS
        root = _content_root(target)
        report = checker.check(root, only=target, cache=None if args.sans_cache else _check_cache(root))
    else:
        report = checker.check(target, cache=None if args.sans_cache else _check_cache(target))
    _print_problems(report.problems, args.format)
    n_err, n_warn = len(report.errors), len(report.problems) - len(report.errors)
    if args.format == "texte":
        if report.ok:
            what = f"{len(report.collectivites)} fiche(s) collectivité" if not target.is_file() else target.name
            extra = f", {n_warn} avertissement(s)" if n_warn else ""
            print(f"Contenu valide : {what}{extra}.", file=sys.stderr)
        else:
            print(f"{n_err} erreur(s) à corriger{f', {n_warn} avertissement(s)' if n_warn else ''}.", file=sys.stderr)
    return EXIT_OK if report.ok else EXIT_PROBLEMS


def _check_cache(content: Path):
    """The checker's cache of a content folder: in the cache folder of the mkdocs.yml beside it
    (option `dossier_cache`, default .cache/atlas; none with `cache: false`), as its build finds it."""
    from atlas import config
    from atlas.content import checkcache

    return checkcache.open_cache(config.settings_beside(content).check_cache,
                                 lambda message: print(f"avertissement : {message}", file=sys.stderr))


def _content_root(file: Path) -> Path:
    """content/ folder of a file: content/collectivites/x.yml → content/."""
    parent = file.absolute().parent.resolve()  # never follow the file itself: it may be a link
    if parent.name in ("collectivites", "pays", "statistiques"):
        return parent.parent
    if (parent / "content").is_dir() and not (parent / "sources.yml").exists():
        return parent / "content"  # a fiche left at the repository's root: checked, and told where it goes
    return parent


def cmd_new(args) -> int:
    from atlas.commands import new as newfile

    try:
        path, notes = newfile.write(" ".join(args.nom), Path(args.contenu), args.type, args.departement)
    except FileExistsError as exc:
        print(f"erreur : {exc.args[0]} existe déjà — modifiez ce fichier plutôt que d'en créer un autre.", file=sys.stderr)
        return EXIT_PROBLEMS
    except ValueError as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"Fiche créée : {path}")
    for note in notes:
        print(f"  - {note}")
    print(f"Remplacez les « À REMPLIR », puis vérifiez avec : atlas check {path}")
    return EXIT_OK


def cmd_from_form(args) -> int:
    from atlas.commands import fromform
    from atlas.content import checker

    content = Path(args.contenu)
    body = Path(args.corps).read_text(encoding="utf-8", errors="replace")
    conversion = path = None
    problems, error = [], None
    try:
        answers = fromform.parse_body(body, fromform.form_fields(content.resolve().parent))
        lists = checker.check_lists(content)
        conversion = fromform.convert(answers, args.ticket, content, lists)
        path = fromform.write(conversion, content)
        problems = [p for p in checker.check(content, only=path).problems] + \
            [p for p in checker.check(content, only=content / checker.LISTS["sources"]).problems]
    except fromform.FormError as exc:
        error = exc
    text = fromform.report(conversion, path, problems, error, args.ticket)
    if args.rapport:
        Path(args.rapport).write_text(text, encoding="utf-8")
    if args.rapport_equipe:
        Path(args.rapport_equipe).write_text(fromform.report(conversion, path, problems, error, args.ticket, team=True),
                                             encoding="utf-8")
    print(text, end="")
    if error:
        return EXIT_USAGE
    print(f"Fiche écrite : {path}", file=sys.stderr)
    return EXIT_OK if not any(p.severity == checker.Severity.ERROR for p in problems) else EXIT_PROBLEMS


def cmd_report(args) -> int:
    from atlas.commands import report

    body = Path(args.corps).read_text(encoding="utf-8", errors="replace")
    text = report.answer(body, Path(args.contenu).resolve().parent, Path(args.contenu))
    if args.rapport:
        Path(args.rapport).write_text(text, encoding="utf-8")
    print(text, end="")
    return EXIT_OK


def cmd_build(args) -> int:
    from atlas.commands import build

    return build.run(config=Path(args.config), site_dir=Path(args.site) if args.site else None, strict=args.strict,
                     content_dir=Path(args.contenu) if args.contenu else None)


def cmd_serve(args) -> int:
    from atlas.commands import build

    return build.serve(config=Path(args.config), address=args.adresse)


def cmd_synth(args) -> int:
    from atlas.commands import synth

    synth.write(Path(args.dossier), collectivites=args.collectivites, partnerships=args.partenariats,
                countries=args.pays, seed=args.graine)
    print(f"Corpus synthétique écrit dans {args.dossier}")
    return EXIT_OK


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="atlas", description="Atlas de la coopération décentralisée : vérifier, créer, construire.")
    sub = p.add_subparsers(dest="commande", required=True, metavar="commande")

    c = sub.add_parser("check", help="vérifier le contenu (ou un seul fichier)")
    c.add_argument("chemin", nargs="?", default="content", help="dossier de contenu ou fichier (défaut : content)")
    c.add_argument("--format", choices=["texte", "github"], default="texte",
                   help="« github » : annotations ::error pour GitHub Actions")
    c.add_argument("--sans-cache", action="store_true",
                   help="vérifier chaque fichier, sans reprendre les résultats gardés dans .cache/atlas/check/")
    c.set_defaults(func=cmd_check)

    n = sub.add_parser("new", help="écrire le modèle de fiche d'une nouvelle collectivité")
    # nargs="+": « atlas new Ville de Quelquepart », typed without quotes, is the same name
    n.add_argument("nom", nargs="+", help='nom de la collectivité, ex. "Ville de Quelquepart"')
    n.add_argument("--type", choices=["commune", "intercommunalite", "departement", "region"], help="type (deviné du nom sinon)")
    n.add_argument("--departement", help='numéro du département, ex. "59" : choisit entre communes homonymes')
    n.add_argument("--contenu", default="content", help="dossier de contenu (défaut : content)")
    n.set_defaults(func=cmd_new)

    f = sub.add_parser("depuis-formulaire", help="écrire la fiche proposée par un ticket « Ajouter ma collectivité »")
    f.add_argument("corps", help="fichier contenant le texte du ticket (réponses au formulaire)")
    f.add_argument("--ticket", type=int, required=True, help="numéro du ticket (nomme la source créée)")
    f.add_argument("--contenu", default="content", help="dossier de contenu (défaut : content)")
    f.add_argument("--rapport", default=None, help="écrire aussi la réponse (Markdown) dans ce fichier")
    f.add_argument("--rapport-equipe", default=None,
                   help="écrire la description de la proposition (avec les lignes de la vérification) dans ce fichier")
    f.set_defaults(func=cmd_from_form)

    r = sub.add_parser("signalement", help="écrire la première réponse à un ticket « Signaler une erreur »")
    r.add_argument("corps", help="fichier contenant le texte du ticket")
    r.add_argument("--contenu", default="content", help="dossier de contenu (défaut : content)")
    r.add_argument("--rapport", default=None, help="écrire aussi la réponse (Markdown) dans ce fichier")
    r.set_defaults(func=cmd_report)

    b = sub.add_parser("build", help="vérifier puis construire le site dans site/")
    b.add_argument("--config", default="mkdocs.yml", help="configuration MkDocs (défaut : mkdocs.yml)")
    b.add_argument("--site", default=None, help="dossier de sortie (défaut : celui de mkdocs.yml, site/)")
    b.add_argument("--strict", action="store_true", help="échouer sur tout avertissement de MkDocs")
    b.add_argument("--contenu", default=None, help="dossier de contenu (défaut : celui de mkdocs.yml, content/)")
    b.set_defaults(func=cmd_build)

    s = sub.add_parser("serve", help="prévisualiser le site ; reconstruit quand un fichier de content/ change")
    s.add_argument("--config", default="mkdocs.yml")
    s.add_argument("--adresse", default="127.0.0.1:8000", help="adresse d'écoute (défaut : 127.0.0.1:8000)")
    s.set_defaults(func=cmd_serve)

    y = sub.add_parser("synth", help="écrire un corpus synthétique de taille nationale (tests de charge)")
    y.add_argument("dossier", help="dossier de sortie")
    y.add_argument("--collectivites", type=int, default=4800)
    y.add_argument("--partenariats", type=int, default=12000)
    y.add_argument("--pays", type=int, default=140)
    y.add_argument("--graine", type=int, default=1, help="graine aléatoire : même graine, même corpus")
    y.set_defaults(func=cmd_synth)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `atlas check | head`: the reader has enough, stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
