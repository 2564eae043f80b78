# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Figures of the provider seam, for a tree (default: this checkout): per module, its lines of logic (code lines
outside DOCUMENTATION/EXAMPLES/RETURN, docstrings, comments and blank lines; imports counted apart), the imports
of a provider's folder, and the tests of a capability that stands for one provider.

    python3 tests/figures/seam_figures.py [TREE]

The files one task crosses are measured by tests/integration/test_seam.py (it runs the modules traced)."""

import ast
import io
import os
import re
import sys
import tokenize

DOC_STRINGS = ('DOCUMENTATION', 'EXAMPLES', 'RETURN')
# A provider's file, before (module_utils/_glance.py, ...) and after (module_utils/_openstack/...) the folders.
PROVIDER_FILES = re.compile(r'\b(_cecloud|_openstack|_huaweicloud\w*|_glance|_image_options|_staged_\w+)\b')
# Capabilities that each stand for one provider, asked of the backend.
ONE_PROVIDER_FLAGS = re.compile(r'backend\.(job_waiter|updates_by_patch|stages_exports|share_needs_visibility|'
                                r'source_hashes_on_create|recipient_actions|uploader\b|uploader_for)')


def excluded_lines(source):
    """Line numbers of the documentation strings and docstrings."""
    tree = ast.parse(source)
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id in DOC_STRINGS for t in node.targets):
            lines.update(range(node.lineno, node.end_lineno + 1))
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                lines.update(range(first.lineno, first.end_lineno + 1))
    return lines


def figures(path):
    source = open(path, encoding='utf-8').read()
    skip = excluded_lines(source)
    code, imports = set(), set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
                          tokenize.ENDMARKER, tokenize.ENCODING):
            continue
        for line in range(token.start[0], token.end[0] + 1):
            if line not in skip:
                code.add(line)
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            imports.update(range(node.lineno, node.end_lineno + 1))
    logic = code - imports
    text_lines = source.splitlines()
    logic_text = '\n'.join(text_lines[n - 1] for n in sorted(logic))
    imported = '\n'.join(text_lines[n - 1].split(' as ')[0] for n in sorted(imports))
    return dict(logic=len(logic), imports=len(code & imports), provider_imports=len(PROVIDER_FILES.findall(imported)),
                flag_tests=len(ONE_PROVIDER_FLAGS.findall(logic_text)))


def main():
    tree = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
    modules = os.path.join(tree, 'plugins', 'modules')
    print('| module | lines of logic | import lines | imports of a provider file | one-provider flag uses |')
    print('|---|---:|---:|---:|---:|')
    total = dict(logic=0, imports=0, provider_imports=0, flag_tests=0)
    for name in sorted(os.listdir(modules)):
        if name.endswith('.py'):
            f = figures(os.path.join(modules, name))
            for key in total:
                total[key] += f[key]
            print('| %s | %d | %d | %d | %d |' % (name[:-3], f['logic'], f['imports'], f['provider_imports'], f['flag_tests']))
    print('| all | %d | %d | %d | %d |' % (total['logic'], total['imports'], total['provider_imports'], total['flag_tests']))


if __name__ == '__main__':
    main()
