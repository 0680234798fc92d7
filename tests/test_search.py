"""Full-text search: folding, grouping, and any input at all."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db.search import KINDS, highlight_spans, match_expression, query_terms, search


def hits(results, kind):
    return [hit for group in results.groups if group.kind == kind for hit in group.hits]


def test_diacritics_and_case_fold(seed_case):
    for typed in ("Austrevicius", "austrevičius", "AUŠTREVIČIUS"):
        names = [hit.title for hit in hits(search(seed_case, typed), "entity")]
        assert "Petras Auštrevičius" in names, typed
    names = [hit.title for hit in hits(search(seed_case, "Uhrik"), "entity")]
    assert any("Uhrík" in name for name in names)


def test_results_are_grouped_by_kind_with_counts(seed_case):
    results = search(seed_case, "Logvinov", limit=3)
    assert [group.kind for group in results.groups] == list(KINDS)
    excerpts = next(group for group in results.groups if group.kind == "excerpt")
    assert len(excerpts.hits) == 3 and excerpts.total > 3 and not excerpts.capped
    assert hits(results, "entity")[0].title == "Kirill Logvinov"


def test_search_as_you_type_prefixes_the_last_word(seed_case):
    typed = "Kirill Logvinov"
    for end in range(3, len(typed) + 1):
        names = [hit.title for hit in hits(search(seed_case, typed[:end]), "entity")]
        assert "Kirill Logvinov" in names, typed[:end]
    assert match_expression("kirill logv") == '"kirill" "logv"*'
    assert match_expression('NEAR("x" *') == '"near" "x"*'


def test_count_is_capped(seed_case):
    results = search(seed_case, "the", kinds=["excerpt"], count_cap=5)
    group = results.groups[0]
    assert group.total == 5 and group.capped


def test_kinds_restrict_the_search(seed_case):
    results = search(seed_case, "Logvinov", kinds=["claim"])
    assert [group.kind for group in results.groups] == ["claim"]
    assert hits(results, "claim")


def test_highlight_spans_follow_folding():
    text = "Petras Auštrevičius told Vsquare"
    spans = highlight_spans(text, query_terms("austrevicius vsq"))
    assert [text[a:b] for a, b in spans] == ["Auštrevičius", "Vsquare"]


HOSTILE = ['"abc', "AND", "OR", "NOT", "*", "NEAR(", "NEAR(a b)", "C++", "e-mail", '"', "'",
           "\x00", "a\x00b", "(", ")", "^", "-", "col:val", "text:", "{a b}", "a OR", "\\",
           "''", '""', "   ", "🙂", "ÅÄÖ", "日本語", "\u202e", "a" * 5000]


def test_hostile_queries_never_error(seed_case):
    for query in HOSTILE:
        results = search(seed_case, query)
        assert results.query == query


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.text(max_size=40))
def test_any_string_is_a_valid_search(seed_case, query):
    results = search(seed_case, query, limit=2)
    if not query_terms(query):
        assert results.groups == ()
    for group in results.groups:
        assert group.total >= len(group.hits)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(word=st.sampled_from(["Logvinov", "Brussels", "Metsola", "Chizhov", "Slagmulder"]),
       noise=st.text(alphabet='"*()^:-+ ', max_size=4))
def test_operators_around_a_word_still_find_it(seed_case, word, noise):
    results = search(seed_case, noise + word + noise)
    assert any(group.hits for group in results.groups)


def test_a_long_match_is_shown_in_a_window_that_starts_and_ends_on_whole_words():
    from db.search import focus

    text = " ".join(f"word{n}" for n in range(200)) + " Uhrík " + " ".join(f"tail{n}" for n in range(200))
    window = focus(text, ["uhrik"], width=80)
    assert window.startswith("…word") and window.endswith("…")
    assert "Uhrík" in window
    inner = window.strip("…")
    assert all(word in text.split() for word in inner.split())   # no word cut in half
    assert len(window) <= 82
    assert focus("short text", ["short"], width=80) == "short text"


def test_a_kinds_full_list_pages_in_sql_through_every_match_once(seed_case):
    from db.search import count_all_matches, matches_page, ranked_ids

    total = count_all_matches(seed_case, "the", "excerpt")
    assert total > 100                          # more than the cap of a group's hits
    ids = []
    for offset in range(0, total + 7, 7):
        ids += [hit.id for hit in matches_page(seed_case, "the", "excerpt", offset=offset,
                                               limit=7, total=total)]
    assert len(ids) == total == len(set(ids))
    # At most RANK_LIMIT matches: by relevance, as the search's own ranking.
    assert ids == ranked_ids(seed_case, "excerpt", match_expression("the"), total)
    assert count_all_matches(seed_case, "   ", "excerpt") == 0
    assert matches_page(seed_case, "", "entity", offset=0, limit=5, total=0) == []


def test_stepping_through_results_goes_kind_after_kind_and_wraps(seed_case):
    from db.search import count_all_matches, matches_page, step_result

    totals = {kind: count_all_matches(seed_case, "ministry", kind) for kind in KINDS}
    order = [(kind, position) for kind in KINDS for position in range(totals[kind])]
    place, wrapped = step_result(seed_case, "ministry", kind=None, position=-1, step=1)
    walked = [(place.kind, place.position)]
    while True:
        place, wrapped = step_result(seed_case, "ministry", kind=place.kind,
                                     position=place.position, step=1)
        if wrapped:
            break
        walked.append((place.kind, place.position))
    assert walked == order
    assert (place.kind, place.position) == order[0]          # from the top again
    back, wrapped = step_result(seed_case, "ministry", kind=order[0][0], position=0, step=-1)
    assert (back.kind, back.position) == order[-1] and wrapped
    last = matches_page(seed_case, "ministry", back.kind, offset=back.position, limit=1,
                        total=back.total)
    assert back.hit == last[0] and back.total == totals[back.kind]
    first, wrapped = step_result(seed_case, "ministry", kind=None, position=-1, step=1)
    assert (first.kind, first.position) == order[0] and not wrapped
    last, wrapped = step_result(seed_case, "ministry", kind=None, position=-1, step=-1)
    assert (last.kind, last.position) == order[-1] and wrapped   # N from nowhere: wrapped
    assert step_result(seed_case, "zzzqqq", kind=None, position=-1, step=1) is None
