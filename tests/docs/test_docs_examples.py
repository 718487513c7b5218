"""The documentation's examples, run against the code: every committed output under
docs/examples/ must be what the example produces now, and every page that includes an output
must include the committed one.  Regenerate with scripts/gen-docs."""

import pytest

from tests.support.doc_examples import EXAMPLES, example_files, output_of, pages, run_example, woven

FILES = example_files()


@pytest.mark.parametrize("example", FILES, ids=[str(f.relative_to(EXAMPLES)) for f in FILES])
def test_example_output_is_current(example, db_url):
    assert output_of(example).exists(), f"{output_of(example).name} missing: run scripts/gen-docs"
    assert run_example(example, db_url) == output_of(example).read_text(), (
        f"{example.name} no longer produces its committed output: run scripts/gen-docs and review the diff"
    )


@pytest.mark.parametrize("page", pages(), ids=lambda p: p.name)
def test_pages_include_the_committed_outputs(page):
    outputs = {
        str(output_of(e).relative_to(EXAMPLES)): output_of(e).read_text() for e in FILES if output_of(e).exists()
    }
    assert woven(page, outputs) == page.read_text(), f"{page.name} is stale: run scripts/gen-docs"


def test_every_public_function_is_in_the_reference(db):
    import re

    from tests.support.doc_examples import function_reference

    documented = set(re.findall(r"`([a-z]+\.[a-z_]+)\(", function_reference()))
    public = {
        name
        for (name,) in db.execute(
            """SELECT format('%s.%s', pronamespace::regnamespace, proname) FROM pg_proc
                WHERE pronamespace::regnamespace::text IN ('game', 'payments', 'promotion', 'player', 'events', 'casino',
                                                           'admin', 'api', 'ops')
                  AND prokind = 'f'"""
        ).fetchall()
    }
    assert public - documented == set(), "give these functions a header comment (their contract)"
