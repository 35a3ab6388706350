"""zh-Hans of the sampling error (issue 15): the ``sampling`` parameter, the SE and interval fields, the
poverty trend's band and the rankings' mark (read by ``fill_zh.py``)."""

ZH_UNCERTAINTY: dict[str, str] = {
    # the parameter on /methodology/
    "Households scored": "参评农户",
    "a census has no sampling error; for a sample, the poverty incidence and M0 of each region carry a standard error and a 95% confidence interval (households drawn with replacement within each province)": "普查没有抽样误差；抽样调查时，各区域的贫困发生率和 M0 附有标准误和 95% 置信区间（按各省内有放回抽样计算）",
    "census: every household of the registry (no sampling error)": "普查：建档立卡全部农户（无抽样误差）",
    "sample: a stratified cluster sample of the households": "抽样：农户的分层整群抽样",
    "Strata of the sample": "抽样层",
    "the regions of this level are the strata the sample was drawn in": "此级区域为抽样的层",
    "Sampling units of the sample": "抽样单元",
    "the regions of this level, or the households, were drawn within each stratum": "在各层内抽取此级区域或农户",
    "province (one stratum: no stratification)": "省级（全省一层，即不分层）",
    "household (each household drawn on its own)": "农户（每户为一个抽样单元）",
    "Sampling error: where a methodology says the households are a sample (the parameter “Households scored” below), the poverty incidence (national line) and M0 of every region carry a standard error and a 95%% confidence interval, the estimate plus or minus 1.96 standard errors, cut to 0-100%%. The households are taken as drawn with replacement within strata (the regions of one level) in sampling units (the regions of a lower level, or the households), weighted by persons and sampling weight; a region's standard error counts every sampling unit of its province's strata, also those without its households (domain estimation by linearisation, as R's survey package computes it). A region inside one sampling unit, or holding a stratum with a single sampling unit, gets no standard error; small cells show none either. For a census every household is counted, and there is no sampling error to show.": "抽样误差：方法设定农户为抽样样本时（见下方参数“参评农户”），各区域的贫困发生率（国家线）和 M0 附有标准误和 95%% 置信区间，即估计值加减 1.96 倍标准误，截取在 0-100%% 之内。农户视为在各层（某一级区域）内按抽样单元（更低一级区域或农户）有放回抽取，按人数与抽样权重加权；区域的标准误计入本省各层的全部抽样单元，包括不含该区域农户的单元（线性化的子总体估计，与 R 的 survey 包算法一致）。位于单个抽样单元之内的区域，或包含只有一个抽样单元的层的区域，不给出标准误；小单元同样不显示。普查计入全部农户，没有抽样误差。",
    # the model's fields (admin)
    "standard error of the headcount ratio": "贫困发生率的标准误",
    "headcount ratio: lower end of the 95% confidence interval": "贫困发生率：95% 置信区间下限",
    "headcount ratio: upper end of the 95% confidence interval": "贫困发生率：95% 置信区间上限",
    "standard error of M0": "M0 的标准误",
    "M0: lower end of the 95% confidence interval": "M0：95% 置信区间下限",
    "M0: upper end of the 95% confidence interval": "M0：95% 置信区间上限",
    # the dashboards and the exports
    "%(measure)s: standard error": "%(measure)s：标准误",
    "%(measure)s: lower end of the 95%% confidence interval": "%(measure)s：95%% 置信区间下限",
    "%(measure)s: upper end of the 95%% confidence interval": "%(measure)s：95%% 置信区间上限",
    "95% confidence interval": "95% 置信区间",
    "95%% confidence interval %(low)s to %(high)s": "95%% 置信区间 %(low)s 至 %(high)s",
    "Share of persons": "人口占比",
    "Trend of poverty incidence and M0": "贫困发生率与 M0 的趋势",
    "Trend lines of poverty incidence and M0": "贫困发生率与 M0 的趋势线",
    "The band is the 95% confidence interval, where the households are a sample; a census has no sampling error, and a small cell shows none.": "阴影带为 95% 置信区间（农户为抽样样本时）；普查没有抽样误差，小单元不显示。",
    "its 95% interval overlaps a neighbour's": "95%置信区间与相邻地区重叠",
    "≈ its 95% confidence interval overlaps that of the county ranked next above or below, so the two ranks may not differ (overlapping intervals are a cautious check, not a test at the 5% level).": "≈ 其 95% 置信区间与排名紧邻其上或其下的县的区间重叠，两者的排名未必不同（区间重叠是保守的判断，并非 5% 水平的检验）。",
}
