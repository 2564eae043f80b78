"""The docsite's guide pages, made from the Markdown guides so that these stay the one source.

antsibull-docs takes extra docs as RST files under docs/docsite/rst/, listed in
docs/docsite/extra-docs.yml. Each guide (README.md and every docs/*.md) gets a short RST page
(its title, a label, where it is: what Galaxy and antsibull-docs' lint read), and ``make docs``
puts the Markdown guide itself, read by MyST, in that page's place. A guide is written once, and
a new docs/*.md is one ``scripts/docsite.py`` away from the docsite (``--check`` in make test).

    python scripts/docsite.py            write docs/docsite/rst/*.rst and docs/docsite/extra-docs.yml
    python scripts/docsite.py --check    exit 1 (naming the files) when they are not what it would write
    python scripts/docsite.py --copy DIR put the Markdown guides in place of their pages in DIR (the Sphinx source folder)
    python scripts/docsite.py --inventory FILE   the intersphinx inventory of the Ansible docs' labels (offline)
"""

import argparse
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOCSITE = os.path.join(ROOT, "docs", "docsite")
LABEL_PREFIX = "ansible_collections.cecloud.ims.docsite."
# README.md first: it is where a user starts; then the guides in name order.
README = "README.md"
HEADER = "# Written by scripts/docsite.py from README.md and docs/*.md: run it again, do not edit.\n"


def guides():
    """(slug, source path relative to ROOT, title) of every guide, README first."""
    names = [README] + sorted(os.path.join("docs", n) for n in os.listdir(os.path.join(ROOT, "docs")) if n.endswith(".md"))
    result = []
    for rel in names:
        with open(os.path.join(ROOT, rel), encoding="utf-8") as handle:
            title = next((line[2:].strip() for line in handle if line.startswith("# ")), None)
        if title is None:
            raise SystemExit("%s: no '# ' title line: the docsite needs one per guide" % rel)
        slug = "overview" if rel == README else os.path.splitext(os.path.basename(rel))[0].replace("-", "_")
        result.append((slug, rel, title))
    return result


def page(slug, rel, title):
    # Galaxy and antsibull-docs' lint read this RST alone (no Sphinx, no include of another file): a title and
    # where the guide is. `make docs` puts the guide itself in its place (copy()).
    url = "%s/blob/main/%s" % (repository(), rel)
    return ".. _%s%s:\n\n%s\n%s\n\nThe guide is ``%s`` in the collection (`on the repository <%s>`_).\n" % (
        LABEL_PREFIX, slug, title, "=" * len(title), rel, url)


def index(items):
    lines = [HEADER, "---\nsections:\n  - title: Guides\n    toctree:\n"]
    lines += ["      - %s\n" % slug for slug, _rel, _title in items]
    return "".join(lines)


def wanted():
    """{path relative to ROOT: content} of every generated file."""
    items = guides()
    files = {os.path.join("docs", "docsite", "rst", slug + ".rst"): page(slug, rel, title) for slug, rel, title in items}
    files[os.path.join("docs", "docsite", "extra-docs.yml")] = index(items)
    return files


def existing_pages():
    rst = os.path.join(DOCSITE, "rst")
    if not os.path.isdir(rst):
        return set()
    return {os.path.join("docs", "docsite", "rst", n) for n in os.listdir(rst) if n.endswith(".rst")}


def check():
    stale = []
    files = wanted()
    for rel, content in sorted(files.items()):
        path = os.path.join(ROOT, rel)
        if not os.path.exists(path) or open(path, encoding="utf-8").read() != content:
            stale.append(rel)
    stale += sorted(existing_pages() - set(files))
    if stale:
        print("docsite: out of date (run python scripts/docsite.py): %s" % ", ".join(stale), file=sys.stderr)
        return 1
    return 0


def write():
    files = wanted()
    for rel in existing_pages() - set(files):
        os.remove(os.path.join(ROOT, rel))
    for rel, content in files.items():
        os.makedirs(os.path.dirname(os.path.join(ROOT, rel)), exist_ok=True)
        with open(os.path.join(ROOT, rel), "w", encoding="utf-8") as handle:
            handle.write(content)
    return 0


# Links between the guides are written for GitHub (docs/x.md, ../README.md, x.md#anchor): on the docsite they
# point at the page made from that guide.
_RELATIVE_LINK = re.compile(r"\]\((?!#|[a-z][a-z0-9+.-]*:)([^)\s]+)\)")
_MD_LINK = re.compile(r"\]\((?:\.\./|docs/)?([A-Za-z0-9_.-]+)\.md(#[^)]*)?\)")


# Labels of the Ansible docs that antsibull-docs' pages refer to. The docs build runs offline, so intersphinx reads
# them from a small inventory written here (the same names and pages as the Ansible docs' own inventory).
ANSIBLE_DOCS = "https://docs.ansible.com/projects/ansible/devel/"
ANSIBLE_LABELS = {
    "common_return_values": ("reference_appendices/common_return_values.html", "Return Values"),
    "ansible_configuration_settings": ("reference_appendices/config.html", "Ansible Configuration Settings"),
}


def write_inventory(path):
    import zlib
    body = "".join("%s std:label -1 %s %s\n" % (name, uri, title) for name, (uri, title) in sorted(ANSIBLE_LABELS.items()))
    with open(path, "wb") as handle:
        handle.write(b"# Sphinx inventory version 2\n# Project: Ansible\n# Version: devel\n"
                     b"# The remainder of this file is compressed using zlib.\n")
        handle.write(zlib.compress(body.encode("utf-8")))


def repository():
    with open(os.path.join(ROOT, "galaxy.yml"), encoding="utf-8") as handle:
        return next(line.split(":", 1)[1].strip() for line in handle if line.startswith("repository:"))


def copy(dest):
    target = os.path.join(dest, "collections", "cecloud", "ims", "docsite")
    slugs = {os.path.splitext(os.path.basename(rel))[0]: slug for slug, rel, _title in guides()}
    for slug, rel, _title in guides():
        with open(os.path.join(ROOT, rel), encoding="utf-8") as handle:
            text = handle.read()
        text = _MD_LINK.sub(lambda m: "](%s)" % (
            "#" + LABEL_PREFIX + slugs[m.group(1)] if m.group(1) in slugs else m.group(0)[2:-1]),
            text)
        # Other files of the repository (a role's README, LICENSE): their page in the repository.
        text = _RELATIVE_LINK.sub(lambda m: "](%s/blob/main/%s)" % (
            repository(), os.path.normpath(os.path.join(os.path.dirname(rel), m.group(1)))), text)
        # The guide in place of its RST page: same document name (the toctrees hold), same label.
        os.remove(os.path.join(target, slug + ".rst"))
        with open(os.path.join(target, slug + ".md"), "w", encoding="utf-8") as handle:
            handle.write("(%s%s)=\n\n%s" % (LABEL_PREFIX, slug, text))
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--check", action="store_true")
    group.add_argument("--copy", metavar="DIR")
    group.add_argument("--inventory", metavar="FILE")
    args = parser.parse_args()
    if args.check:
        return check()
    if args.inventory:
        return write_inventory(args.inventory)
    if args.copy:
        return copy(args.copy)
    return write()


if __name__ == "__main__":
    sys.exit(main())
