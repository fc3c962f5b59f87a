"""Hardening, class 1: no code runs from a template (issue 10).

Every payload is a user template an attacker could commit; each must fail with one line
naming the template (and its line), exit 2, leave the target untouched and never create
the canary file the payload aims at.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hardening.harness import Case, Symlink, generated_target, run_case

CONFIG = '[tool.modelsync]\ntemplates_dir = "tpl"\n'
TOUCH = "touch {canary}"

# Payloads reaching for os.system / popen / file writes through jinja2's globals and
# Python internals; the sandbox must refuse each one.
PAYLOADS = {
    "cycler_globals": "{% set _ = cycler.__init__.__globals__.os.system('" + TOUCH + "') %}",
    "joiner_globals": "{{ joiner.__init__.__globals__.os.system('" + TOUCH + "') }}",
    "namespace_globals": "{{ namespace.__init__.__globals__.os.popen('" + TOUCH + "') }}",
    "lipsum_globals": "{{ lipsum.__globals__['os'].system('" + TOUCH + "') }}",
    "self_globals": "{{ self.__init__.__globals__.__builtins__.open('{canary}', 'w') }}",
    "subclasses": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "item_class": "{{ item.__class__.__init__.__globals__ }}",
    "text_format": "{{ item.text.__class__.__base__.__subclasses__() }}",
    "format_string": "{{ '{0.__class__.__init__.__globals__}'.format(item) }}",
    "attr_filter": "{{ item|attr('__class__')|attr('__init__')|attr('__globals__') }}",
    "getitem_dunder": "{{ item['__class__'] }}",
    "mutate_list": "{{ [].append(1) }}{% set x = {} %}{{ x.update(a=1) }}",
    "mutate_dict": "{% set d = {'a': 1} %}{{ d.pop('a') }}",
    "builtins_open": "{{ __builtins__.open('{canary}', 'w') }}",
    "range_bomb": "{% for i in range(10**9) %}{% endfor %}",
    "import_os": "{% import 'os' as os %}",
    "include_file": "{% include '/etc/passwd' %}",
    "extends_outside": "{% extends '../outside/table.py.j2' %}",
}


def _template_case(name: str, payload: str, template: str = "table.py.j2") -> Case:
    return Case(
        name,
        ("generate",),
        2,
        files={"pyproject.toml": CONFIG, f"tpl/{template}": payload + "\n{{ item.text }}\n"},
        where=f"tpl/{template}",
        line=name not in ("include_file", "extends_outside", "import_os", "range_bomb"),
    )


CASES = [_template_case(name, payload) for name, payload in PAYLOADS.items()]
# The same attack through each of the other templates the region uses.
for _name in ("region.py.j2", "enum.py.j2", "base.py.j2", "definition.py.j2"):
    CASES.append(
        Case(
            f"cycler_in_{_name}",
            ("generate",),
            2,
            files={
                "pyproject.toml": CONFIG,
                f"tpl/{_name}": "{{ cycler.__init__.__globals__.os.system('" + TOUCH + "') }}\n",
            },
            where=f"tpl/{_name}",
            line=True,
        )
    )
CASES += [
    Case(
        "cycler_in_db_template_new_target",
        ("generate",),
        2,
        files={
            "pyproject.toml": CONFIG,
            "tpl/db.py.j2": "{{ cycler.__init__.__globals__.os.system('" + TOUCH + "') }}\n",
        },
        where="tpl/db.py.j2",
        line=True,
        target="none",
    ),
    Case(
        "syntax_error",
        ("generate",),
        2,
        files={"pyproject.toml": CONFIG, "tpl/table.py.j2": "{{ item.text }}\n{% if %}\n"},
        where="tpl/table.py.j2:2",
        needle="template syntax error",
    ),
    Case(
        "unclosed_block",
        ("generate",),
        2,
        files={"pyproject.toml": CONFIG, "tpl/table.py.j2": "{% for x in items %}\n{{ x }}\n"},
        where="tpl/table.py.j2",
        line=True,
    ),
    Case(
        "undefined_name",
        ("generate",),
        2,
        files={"pyproject.toml": CONFIG, "tpl/table.py.j2": "{{ item.text }}\n\n{{ nope }}\n"},
        where="tpl/table.py.j2:3",
        needle="'nope' is undefined",
    ),
    Case(
        "undefined_attribute",
        ("generate",),
        2,
        files={"pyproject.toml": CONFIG, "tpl/table.py.j2": "{{ item.nope }}\n"},
        where="tpl/table.py.j2:1",
    ),
    Case(
        "output_not_python",
        ("generate",),
        2,
        files={"pyproject.toml": CONFIG, "tpl/table.py.j2": "{{ item.text }}\n(((\n"},
        where="tpl/table.py.j2:2",
        needle="not valid Python",
    ),
    Case(
        "output_nul_byte",
        ("generate",),
        2,
        files={"pyproject.toml": CONFIG, "tpl/table.py.j2": "{{ item.text }}\n# \x00\n"},
        where="tpl/table.py.j2",
    ),
    Case(
        "region_not_python",
        ("generate",),
        2,
        files={"pyproject.toml": CONFIG, "tpl/region.py.j2": "def broken(:\n"},
        where="tpl/region.py.j2:1",
        needle="not valid Python",
    ),
    Case(
        "db_template_not_python",
        ("generate",),
        2,
        files={"pyproject.toml": CONFIG, "tpl/db.py.j2": "{{ region }}\n\nclass :\n"},
        where="tpl/db.py.j2:3",
        needle="not valid Python",
        target="none",
    ),
    Case(
        "macro_recursion",
        ("generate",),
        2,
        files={
            "pyproject.toml": CONFIG,
            "tpl/table.py.j2": "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}\n",
        },
        where="tpl/table.py.j2",
    ),
    Case(
        "filter_type_error",
        ("generate",),
        2,
        files={"pyproject.toml": CONFIG, "tpl/table.py.j2": "{{ item.text|int(1, 2, 3) }}\n"},
        where="tpl/table.py.j2",
        line=True,
    ),
    Case(
        "symlink_to_etc_passwd",
        ("generate",),
        2,
        files={"pyproject.toml": CONFIG, "tpl/table.py.j2": Symlink("/etc/passwd")},
        needle="leading out of the templates folder",
    ),
    Case(
        "symlink_to_outside_template",
        ("generate",),
        2,
        files={"pyproject.toml": CONFIG, "tpl/table.py.j2": Symlink("{base}/outside/table.py.j2")},
        needle="leading out of the templates folder",
    ),
    Case(
        "relative_symlink_escaping",
        ("check",),
        2,
        files={"pyproject.toml": CONFIG, "tpl/table.py.j2": Symlink("../../outside/table.py.j2")},
        needle="leading out of the templates folder",
    ),
    Case(
        "dangling_symlink",
        ("generate",),
        2,
        files={"pyproject.toml": CONFIG, "tpl/table.py.j2": Symlink("missing.j2")},
        needle="cannot be followed",
    ),
    Case(
        "symlink_loop",
        ("generate",),
        2,
        files={"pyproject.toml": CONFIG, "tpl/table.py.j2": Symlink("table.py.j2")},
        needle="cannot be followed",
    ),
    Case(
        "symlink_inside_folder_is_fine",
        ("generate",),
        0,
        files={
            "pyproject.toml": CONFIG,
            "tpl/real.j2": "{{ item.text }}\n",
            "tpl/table.py.j2": Symlink("real.j2"),
        },
    ),
    Case(
        "template_is_a_directory",
        ("generate",),
        2,
        files={"pyproject.toml": CONFIG, "tpl/table.py.j2/x": "x"},
        needle="not a regular file",
    ),
    Case(
        "template_not_utf8",
        ("generate",),
        2,
        files={"pyproject.toml": CONFIG, "tpl/table.py.j2": b"\xff\xfe{{ item.text }}\n"},
        needle="cannot read template",
    ),
    Case(
        "templates_dir_symlink_outside",
        ("generate",),
        2,
        files={"pyproject.toml": CONFIG, "tpl": Symlink("{base}/outside")},
        where="pyproject.toml:2",
        needle="outside the project root",
    ),
    Case(
        "benign_template_works",
        ("generate",),
        0,
        files={
            "pyproject.toml": CONFIG,
            "tpl/table.py.j2": "# table {{ item.name }}\n{{ item.text }}\n",
        },
    ),
]


@pytest.mark.timeout(20)
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_template_attack(tmp_path: Path, case: Case) -> None:
    run_case(tmp_path, case)
    target = tmp_path / "project" / "ai-worker" / "db.py"
    if case.code == 2 and case.target == "generated":
        assert target.read_text(encoding="utf-8") == generated_target(), "target changed"
    if case.code == 2 and case.target == "none":
        assert not target.exists()
