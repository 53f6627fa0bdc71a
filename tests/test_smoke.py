def test_minimal_corpus_is_valid(check):
    result = check()
    assert result.out == ""
    assert result.code == 0
