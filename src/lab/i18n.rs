//! Strings of the lab, in Chinese and English.

use crate::i18n::messages;
use crate::settings::SettingError;

messages! {
    pub enum LabMsg {
        Lab => ("实验室", "Lab"),
        Task => ("任务：", "Task:"),
        Experiment => ("实验", "Experiment"),
        Shipped => ("内置实验", "Shipped experiments"),
        Apply => ("校验并应用", "Validate and apply"),
        Participant => ("参与者", "Participant"),
        Variant => ("变体", "Variant"),
        Forced => ("指定变体", "forced"),
        Results => ("结果", "Results"),
        ResultsOf => ("实验或研究", "Experiment or study"),
        IncludeForced => ("包括指定变体的参与者", "Include forced participants"),
        Participants => ("参与者", "Participants"),
        SlipRate => ("失误率（95% 区间）", "Slip rate (95% CI)"),
        MedianTime => ("发送用时中位数（四分位）", "Median time to send (quartiles)"),
        HolmP => ("Holm 校正后 p", "Holm-adjusted p"),
        ImportFiles => ("导入文件（可多选）", "Import files (several at once)"),
        ImportFileError => ("无法导入文件", "Cannot import file"),
        Unreadable => ("浏览器无法读取该文件", "the browser cannot read it"),
        SampleSize => ("样本量计算", "Sample size"),
        BaselineRate => ("基线失误率 %", "Baseline slip rate %"),
        ExpectedRate => ("期望失误率 %", "Expected slip rate %"),
        Power => ("检验功效 %", "Power %"),
        Alpha => ("显著性水平 %", "Significance level %"),
        SampleSizeBad => (
            "请输入 0 到 100 之间的百分比，两个失误率不能相同",
            "Enter percentages between 0 and 100; the two slip rates must differ",
        ),
        CancelRate => ("取消率", "Cancel rate"),
        RecallRate => ("撤回率", "Recall rate"),
        Tests => ("失误率的双比例检验", "Two-proportion tests of slip rates"),
        NotEnoughData => ("数据不足", "not enough data"),
        NoData => ("暂无数据", "no data yet"),
        ExportCsv => ("导出 CSV", "Export CSV"),
        ExportJsonl => ("导出 JSON Lines", "Export JSON Lines"),
        Exported => ("导出的事件", "Exported events"),
        Import => ("导入", "Import"),
        ImportHint => ("粘贴 JSON Lines 事件", "Paste JSON Lines events"),
        Imported => ("已导入事件：", "Events imported:"),
        ImportErrorLine => ("无法读取第几行：", "Cannot read line"),
        Studies => ("研究", "Studies"),
        StudiesHint => (
            "研究保存在这个浏览器里（模拟后端）：修改后，这个浏览器里的下一位参与者立即使用新版本，无需重新构建。保存前会完整校验。",
            "Studies are kept in this browser (mock backend): once saved, the next participant in this browser gets the new version, with no rebuild. Every save is validated in full.",
        ),
        StudiesShippedOnly => (
            "在真实后端上，参与者使用随应用发布的研究（lab/studies/）。",
            "On the real backend, participants get the studies shipped with the app (lab/studies/).",
        ),
        Study => ("研究", "Study"),
        StudyStored => ("本浏览器", "this browser"),
        StudyShipped => ("内置", "shipped"),
        StudyClosed => ("已结束", "closed"),
        StudySave => ("校验并保存", "Validate and save"),
        StudyDuplicate => ("复制", "Duplicate"),
        StudyClose => ("结束研究", "Close"),
        StudyReopen => ("重新开放", "Reopen"),
        StudyDelete => ("删除", "Delete"),
        StudySaved => ("已保存：", "Saved:"),
        StudyDeleted => ("已删除：", "Deleted:"),
        StudyLinks => ("研究链接", "Study links"),
        StudyLinksHint => (
            "把链接发给参与者，或在现场让他们扫码。随机分配的链接按公布的规则分配变体；指定变体的链接只用于试做和演示（其事件标为指定）。",
            "Send a link to participants, or let them scan its code in person. The assigned link chooses the variant by the published rule; a forced variant's link is for pilots and demos (its events are marked forced).",
        ),
        AnyVariant => ("随机分配变体", "Assigned variant"),
        ForcedVariant => ("指定变体", "Forced variant"),
        Copy => ("复制", "Copy"),
        Copied => ("已复制", "Copied"),
        CopyByHand => ("无法访问剪贴板，请手动选择链接", "No clipboard here: select the link"),
        QrCode => ("二维码", "QR code"),
        Fairness => ("公平性模拟", "Fairness"),
        Rule => ("拆分规则", "Split rule"),
        RuleDoubleMean => ("二倍均值法", "Double mean"),
        RuleLineCutting => ("线段切割法", "Line cutting"),
        Amount => ("金额", "Amount"),
        Total => ("总额", "Total"),
        Count => ("个数", "Count"),
        Packets => ("红包数量", "Packets"),
        Run => ("开始模拟", "Simulate"),
        Progress => ("模拟进度", "Simulation progress"),
        Simulated => ("已模拟红包：", "Packets simulated:"),
        FairnessChart => (
            "各位置的平均金额与标准差",
            "Mean and standard deviation per position",
        ),
        FairnessLegend => (
            "柱：平均值 ± 标准差；点：手气最佳的概率；空心标记：二倍均值法理论值",
            "Bars: mean ± std; dots: chance of best luck; hollow markers: double-mean theory",
        ),
        Position => ("位置", "Position"),
        Mean => ("平均", "Mean"),
        Std => ("标准差", "Std"),
        BestLuck => ("手气最佳", "Best luck"),
        Analytic => ("理论值", "Theory"),
        BadTotal => (
            "总额须为有效金额，且每份至少 ¥0.01",
            "The total must be a valid amount, at least ¥0.01 a share",
        ),
        BadCount => ("个数须在 1 到 100 之间", "The count must be 1 to 100"),
        BadPackets => (
            "红包数量须在 1 到 1,000,000 之间",
            "Packets must be 1 to 1,000,000",
        ),
        NoVariants => ("至少需要一个变体", "At least one variant is needed"),
        ZeroWeights => ("变体权重之和必须大于 0", "The variants' weights must sum to more than 0"),
    }
    /// An experiment that is not JSON of the expected shape (serde's message).
    fn bad_json(lang, e: &str) => ("JSON 格式错误：{e}", "Not valid experiment JSON: {e}");
    fn bad_key(lang, k: &str) => (
        "实验名 {k:?} 无效（只能用字母、数字、- 和 _）",
        "Experiment key {k:?} is invalid (letters, digits, - and _ only)"
    );
    fn duplicate_variant(lang, v: &str) => ("变体 {v:?} 重复", "Variant {v:?} appears twice");
    /// A variant's setting that `Settings::apply` refuses.
    fn bad_setting(lang, variant: &str, error: &SettingError) {
        let (key, value, expected) = (&error.key, &error.value, error.expected);
    } => ("变体 {variant}：设置 {key}={value:?} 无效，应为 {expected}", "Variant {variant}: setting {error}");
    /// Files imported: events stored, files read, events already here (not stored twice).
    fn imported_files(lang, n: usize, files: usize, skipped: usize) => (
        "已导入事件：{n}（{files} 个文件；{skipped} 个已存在，未重复导入）",
        "Events imported: {n} (from {files} files; {skipped} already here, not imported twice)"
    );
    /// The sample size per variant.
    fn sample_size_text(lang, n: u32) => (
        "每个变体需要 {n} 名发送了红包的参与者",
        "{n} participants who send, per variant"
    );
    /// A task's intended outcome that cannot be a packet.
    fn bad_task(lang, task: &str, reason: &str) => ("任务 {task}：{reason}", "Task {task}: {reason}");
}
