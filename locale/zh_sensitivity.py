"""zh-Hans of the EQI's rank bands (the sensitivity analysis): the dashboards, the methodology page and
the model's names (read by ``fill_zh.py``)."""

ZH_SENSITIVITY: dict[str, str] = {
    # the methodology page: the parameters of the analysis
    "Rank bands of the exit-quality index": "脱贫质量指数的排名区间",
    "each run ranks the provinces and the counties again under variants of the method, and shows each region's "
    "median rank and its 90 % band: the 5th to the 95th percentile of its ranks (OECD/JRC Handbook, uncertainty "
    "analysis)": (
        "每次计算都在方法的多种变体下对各省和各县重新排名，显示每个区域的排名中位数及其 90% 区间，即排名的第 5 至第 95 百分位数"
        "（经合组织与欧盟联合研究中心《综合指标构建手册》的不确定性分析）"
    ),
    "Variants of the method": "方法变体数",
    "how many variants the ranks are computed under": "在多少种方法变体下计算排名",
    "Spread of the weights": "权重变动幅度",
    "in each variant, each weight of D1-D4 is drawn uniformly within this share above or below its value": (
        "每种变体中，D1-D4 的每个权重在其原值上下此比例内均匀抽取"
    ),
    "Combinations of D1-D4 in the variants": "变体中 D1-D4 的合成方式",
    "each variant combines D1-D4 by one of these": "每种变体以其中一种方式合成 D1-D4",
    "D1-D4 in the variants": "变体中的 D1-D4",
    "each variant takes D1-D4 in one of these forms": "每种变体采用 D1-D4 的其中一种形式",
    "Seed of the variants": "变体的随机种子",
    "the same seed, data and method draw the same variants, so a rerun gives the same bands": (
        "种子、数据和方法相同则抽出相同的变体，重算得到相同的排名区间"
    ),
    "on": "开",
    "off": "关",
    "as published (fixed goalposts)": "按公布值（固定阈值）",
    "rescaled from the lowest to the highest of the regions ranked together": "在一同排名的区域中按最低到最高重新标准化",
    "z-scores across the regions ranked together (arithmetic mean only)": "一同排名区域间的 z 分数（仅用于算术平均）",
    # the model
    "in the country": "全国",
    "in its province": "本省内",
    "in its prefecture": "本地市内",
    "ranked among": "排名范围",
    "regions ranked": "参与排名的区域数",
    "rank": "排名",
    "median rank": "排名中位数",
    "rank, 5th percentile": "排名第 5 百分位数",
    "rank, 95th percentile": "排名第 95 百分位数",
    "EQI rank band": "脱贫质量指数排名区间",
    # the dashboards: the rankings, the map's hover, the chart
    "median rank %(median)s (90 %%: %(low)s–%(high)s)": "排名中位数 %(median)s（90%%：%(low)s–%(high)s）",
    "Median rank under the method's variants: %(median)s of %(ranked)s (90 %%: %(low)s–%(high)s)": (
        "方法变体下的排名中位数：%(ranked)s 个中第 %(median)s（90%%：%(low)s–%(high)s）"
    ),
    "not ranked (fewer than 10 surveyed households, or withheld with such a region)": (
        "未排名（受调查农户少于 10 户，或因此类区域一并不公开）"
    ),
    "Rank (1 = highest exit-quality index)": "排名（1 = 脱贫质量指数最高）",
    "rank as published": "公布的排名",
    "median rank, with the 90 % band": "排名中位数及 90% 区间",
    "After each county of the exit-quality index: its median rank and, in brackets, the range of 90 %% of its ranks "
    "under other choices of method (the chart below says how).": (
        "按脱贫质量指数列出的各县后面：其排名中位数，括号内为在其他方法选择下 90%% 排名所在的范围（见下图说明）。"
    ),
    "How firm are the counties' ranks?": "各县的排名有多稳？",
    "How firm are the provinces' ranks?": "各省的排名有多稳？",
    "Ranks by the exit-quality index with their 90 %% bands": "按脱贫质量指数的排名及其 90%% 区间",
    "Each region is ranked by the exit-quality index again under %(scenarios)s variants of the method: each weight "
    "of D1-D4 within ±%(spread)s of its value, the geometric or the arithmetic mean, and D1-D4 as published (fixed "
    "goalposts) or rescaled across the regions ranked together (from the lowest to the highest, or as z-scores). "
    "The dot is the median rank, the bar the range of 90 %% of the ranks (5th to 95th percentile), the ring the rank "
    "as published. A short bar: the rank holds whichever of these choices is made; a long one: it depends on them. "
    "Regions with fewer than 10 surveyed households, and those withheld with them, are not ranked.": (
        "在方法的 %(scenarios)s 种变体下按脱贫质量指数对各区域重新排名：D1-D4 的每个权重在原值上下 %(spread)s "
        "以内变动，采用几何平均或算术平均，D1-D4 取公布值（固定阈值）或在一同排名的区域间重新标准化（按最低到最高，"
        "或取 z 分数）。圆点为排名中位数，横线为排名的 90%% 所在范围（第 5 至第 95 百分位数），圆圈为公布的排名。"
        "横线短：无论作何选择，排名都稳定；横线长：排名取决于这些选择。受调查农户少于 10 户的区域及因此一并"
        "不公开的区域不参与排名。"
    ),
    "Parameters of the analysis": "分析的参数",
    "No region of this area is ranked in this period.": "本期本区域内没有参与排名的区域。",
    # the methodology page
    "Rank bands: each run ranks the provinces and the counties by the exit-quality index again under variants of "
    "the method (see each version's parameters below: the weights moved around their values, the geometric or the "
    "arithmetic mean, D1-D4 as published or rescaled across the regions ranked together), and publishes each "
    "region's median rank and the range of 90 %% of its ranks (5th to 95th percentile) with its rank, as the OECD/JRC "
    "Handbook on Constructing Composite Indicators (2008) recommends. The goalposts of the household components are "
    "not varied: that would need every household scored again. Only regions whose numbers are public are ranked.": (
        "排名区间：每次计算都在方法的多种变体下（见下文各版本的参数：权重在原值附近变动，采用几何平均或算术平均，"
        "D1-D4 取公布值或在一同排名的区域间重新标准化）按脱贫质量指数对各省和各县重新排名，并随排名公布每个区域的"
        "排名中位数及其 90%% 排名所在的范围（第 5 至第 95 百分位数），这是经合组织与欧盟联合研究中心《综合指标构建"
        "手册》（2008）所建议的做法。农户各分项的阈值不作变动：那需要对每户重新评分。只有数字公开的区域参与排名。"
    ),
}
