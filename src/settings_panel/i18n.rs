//! Strings of the settings panel, in Chinese and English.

use crate::i18n::messages;

messages! {
    pub enum Msg {
        Experiment => ("实验设置", "Experiment settings"),
        AppliesToNewPackets => (
            "撤回规则和拼手气算法对之后发出的红包生效。",
            "Recall policy and split rule apply to packets sent from now on.",
        ),
        Stages => ("确认步骤", "Confirmation stages"),
        Stage1 => ("1 步（仅填写）", "1 stage (entry only)"),
        Stage2 => ("2 步（填写、核对）", "2 stages (entry, review)"),
        Stage3 => ("3 步（填写、核对、授权）", "3 stages (entry, review, authorize)"),
        Adaptive => ("自适应（有警告时加步骤）", "Adaptive (more stages on warnings)"),
        Auth => ("授权方式", "Authorization"),
        AuthPin => ("6 位密码", "6-digit PIN"),
        AuthHold => ("长按确认", "Hold to confirm"),
        Recall => ("撤回规则", "Recall policy"),
        RecallNone => ("不可撤回（24 小时后退回）", "None (refund after 24 h only)"),
        RecallWindow => ("限时撤回（无人领取时）", "Window (while nobody claimed)"),
        RecallRemainder => ("撤回剩余部分", "Remainder (claimed shares stand)"),
        RecallDelayed => ("延迟到账", "Delayed delivery"),
        Window => ("撤回时限（秒）", "Recall window (seconds)"),
        WindowHint => ("延迟到账时也是延迟时长。", "Also the delay of delayed delivery."),
        Split => ("拼手气算法", "Split rule"),
        SplitDoubleMean => ("二倍均值法", "Double mean"),
        SplitLineCutting => ("线段切割法", "Line cutting"),
        Motion => ("动画效果", "Animations"),
        Language => ("语言", "Language"),
        LangZh => ("中文", "Chinese"),
        LangEn => ("英文", "English"),
        Income => ("收入颜色", "Income colour"),
        IncomeAuto => ("自动（中文为红色，英文为绿色）", "Automatic (red in Chinese, green in English)"),
        IncomeRed => ("红色", "Red"),
        IncomeGreen => ("绿色", "Green"),
        Theme => ("外观", "Appearance"),
        ThemeAuto => ("跟随系统", "Automatic (as the system)"),
        ThemeLight => ("浅色", "Light"),
        ThemeDark => ("深色", "Dark"),
        Simulation => ("模拟后端", "Simulated backend"),
        Latency => ("网络延迟（毫秒）", "Latency (ms)"),
        LatencyHint => ("留空则每次随机 150–400 毫秒。", "Empty: a random 150–400 ms per call."),
        Fail => ("失败率（%）", "Failure rate (%)"),
        Bots => ("群成员自动领取（机器人）", "Bots claim group packets"),
        DemoTools => ("演示工具", "Demo tools"),
        Reset => ("重置演示", "Reset demo"),
        ResetDone => (
            "演示已重置：所有红包已清除，每人余额 ¥1,000.00。",
            "Demo reset: all packets cleared, everyone has ¥1,000.00.",
        ),
        Clock => ("后端时钟", "Backend clock"),
        Forward24h => ("快进 24 小时", "Fast-forward 24 h"),
        ForwardSecs => ("快进秒数", "Seconds to fast-forward"),
        ForwardGo => ("快进", "Forward"),
    }
    /// A rejected number: "请输入 1–86400 之间的整数" / "Enter a whole number from 1 to 86400".
    fn out_of_range(lang, lo: u32, hi: u32) => ("请输入 {lo}–{hi} 之间的整数", "Enter a whole number from {lo} to {hi}");
    /// After a fast-forward.
    fn forwarded(lang, secs: i64) => ("时钟已快进 {secs} 秒", "The clock moved forward {secs} s");
}
