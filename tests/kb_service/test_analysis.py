"""The one Chinese analyzer both backends index with."""

from __future__ import annotations

from kb_service.analysis.analyzer import SYNONYM_WEIGHT, _read_lines


def test_user_dictionary_keeps_domain_terms_whole(analyzer):
    tokens = analyzer.tokens("双方达成人民调解协议后共同申请司法确认，约定先行清偿赡养费")
    for term in ("人民调解协议", "司法确认", "先行清偿", "赡养费"):
        assert term in tokens


def test_dictionary_and_synonym_table_are_big_enough():
    assert len(_read_lines("userdict.txt")) >= 300
    assert len(_read_lines("synonyms.txt")) >= 100


def test_normalisation_width_case_and_traditional(analyzer):
    assert analyzer.normalize("ＡＢＣ１２３") == "abc123"
    assert analyzer.tokens("鄰居噪聲擾民") == analyzer.tokens("邻居噪声扰民")


def test_stopwords_and_punctuation_are_dropped(analyzer):
    tokens = analyzer.tokens("我的邻居，怎么办？！")
    assert "的" not in tokens and "，" not in tokens and "怎么办" not in tokens
    assert "邻居" in tokens


def test_query_synonyms_are_added_with_lower_weight(analyzer):
    terms = analyzer.query_terms("楼上天天吵")
    assert terms.weights["吵"] == 1.0
    assert terms.weights["噪声"] == SYNONYM_WEIGHT
    assert "噪声" not in terms.typed


def test_long_descriptions_are_reduced_to_key_terms(analyzer):
    text = "申请人在某建筑公司承建的工地务工，" * 3 + "包工头拖欠工资后失联，总承包单位拒绝先行清偿，农民工多次讨薪无果，" + "现场还有材料款纠纷、租赁设备费用、食堂伙食费等问题，" * 5
    idf = dict.fromkeys(analyzer.tokens(text), 1.0) | {"农民工": 8.0, "先行清偿": 8.0, "讨薪": 8.0, "申请人": 0.1}
    terms = analyzer.query_terms(text, idf=idf, max_terms=8, expand_synonyms=False)
    assert len(terms.weights) == 8
    assert {"农民工", "先行清偿", "讨薪"} <= set(terms.weights)
    assert "申请人" not in terms.weights


def test_terms_the_collection_never_saw_rank_last(analyzer):
    text = "甲乙丙丁戊己庚辛 农民工讨薪 包工头 工地 欠薪 年底 结算 工资 老板 跑路 联系 不上 多次"
    terms = analyzer.query_terms(text, idf={"农民工": 3.0, "讨薪": 3.0}, max_terms=2, expand_synonyms=False)
    assert set(terms.weights) == {"农民工", "讨薪"}


def test_the_prefix_dictionary_read_at_once_is_jiebas_own(tmp_path):
    import jieba

    from kb_service.analysis.analyzer import read_prefix_cache

    built = jieba.Tokenizer()
    built.tmp_dir = str(tmp_path)
    assert not read_prefix_cache(built)  # no cache yet: jieba builds the dictionary and writes it
    built.initialize()
    read = jieba.Tokenizer()
    read.tmp_dir = str(tmp_path)
    assert read_prefix_cache(read) and read.initialized
    assert (read.total, len(read.FREQ)) == (built.total, len(built.FREQ)) and read.FREQ == built.FREQ
    text = "楼上卫生间漏水把楼下天花板泡坏了，物业不管"
    assert list(read.cut_for_search(text)) == list(built.cut_for_search(text))
