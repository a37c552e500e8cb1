"""What the form's pull request may change: one collectivité file and sources.yml, nothing else.

`atlas depuis-formulaire` runs without write rights; the job that pushes its patch has them and
does not run the atlas. Between the two, the patch is only data, and this module (the standard
library only: the pushing job runs it with the runner's own Python, nothing installed) reads it
line by line before `git apply`: every line must be a header git writes for a plain text change of
an allowed path, or a line of a hunk. A rename, a copy, a deletion, a mode change (a symbolic link,
an executable), a binary patch or any other path is refused, with a French message.

    python3 scripts/atlas/commands/patchcheck.py proposition/fiche.patch
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

ALLOWED = re.compile(r"content/collectivites/[a-z0-9]+(-[a-z0-9]+)*\.yml|content/sources\.yml")
_DIFF = re.compile(r"diff --git a/(\S+) b/(\S+)")
_HUNK = re.compile(r"@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@.*")
_INDEX = re.compile(r"index [0-9a-f]{7,64}\.\.[0-9a-f]{7,64}( 100644)?")
MAX_BYTES = 2 * 1024 * 1024


def problems(patch: str) -> list[str]:
    """Why this patch may not be applied by the form's job; [] when it only adds or changes the
    allowed files as plain text."""
    if len(patch.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        return [f"correctif de plus de {MAX_BYTES // 1024 // 1024} Mo : ce n'est pas une fiche"]
    found: list[str] = []
    path = None
    old_left = new_left = 0  # lines still due in the current hunk, as its « @@ » header counts them
    seen: set[str] = set()
    for number, line in enumerate(patch.split("\n"), 1):
        if line == "" and number == patch.count("\n") + 1:
            break  # the text after the final newline
        if old_left or new_left:  # inside a hunk: exactly the lines its header announced (git reads
            # the rest as new headers: a « --- a/… » line there would start a patch of another file)
            kind = line[:1]
            if kind not in (" ", "+", "-", "\\"):
                found.append(f"ligne {number} : section du correctif plus courte que son en-tête « @@ »")
                old_left = new_left = 0
            else:
                old_left -= kind in (" ", "-")
                new_left -= kind in (" ", "+")
                if old_left < 0 or new_left < 0:
                    found.append(f"ligne {number} : section du correctif plus longue que son en-tête « @@ »")
                    old_left = new_left = 0
                continue
        if line.startswith("\\"):  # « \ No newline at end of file », right after a hunk
            continue
        diff = _DIFF.fullmatch(line)
        if diff:
            a, b = diff.groups()
            path = b
            if a != b:
                found.append(f"ligne {number} : renommage ou copie de {a} vers {b} refusé")
            elif not ALLOWED.fullmatch(b) or ".." in b.split("/"):
                found.append(f"ligne {number} : le formulaire ne peut modifier que content/collectivites/<nom>.yml "
                             f"et content/sources.yml, pas {b}")
            elif b in seen:
                found.append(f"ligne {number} : {b} modifié deux fois dans le même correctif")
            seen.add(b)
            continue
        if path is None:
            found.append(f"ligne {number} : texte avant le premier en-tête « diff --git »")
            continue
        hunk = _HUNK.fullmatch(line)
        if hunk:
            old_left, new_left = (int(n) if n is not None else 1 for n in hunk.groups())
            continue
        if line == "new file mode 100644" and path != "content/sources.yml":
            continue
        if _INDEX.fullmatch(line) or line in (f"--- a/{path}", f"+++ b/{path}", "--- /dev/null"):
            continue
        if line.startswith(("new file mode", "old mode", "new mode", "deleted file mode")):
            found.append(f"ligne {number} : changement de mode ou suppression refusé ({line})")
        elif line.startswith(("GIT binary patch", "Binary files")):
            found.append(f"ligne {number} : contenu binaire refusé dans {path}")
        elif line.startswith(("rename ", "copy ", "similarity index", "dissimilarity index")):
            found.append(f"ligne {number} : renommage ou copie refusé ({line})")
        else:
            found.append(f"ligne {number} : ligne inattendue dans le correctif de {path}")
    if old_left or new_left:
        found.append("correctif coupé : la dernière section est incomplète")
    if not seen:
        found.append("correctif vide : aucune fiche à proposer")
    return found


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage : python3 patchcheck.py CORRECTIF", file=sys.stderr)
        return 2
    try:
        text = Path(args[0]).read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"correctif illisible : {exc}", file=sys.stderr)
        return 1
    found = problems(text)
    for p in found[:20]:
        print(f"{args[0]}: {p}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
