//! Strings of the settings panel, in Chinese and English.

use crate::i18n::Lang;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Msg {
    Experiment,
    AppliesToNewPackets,
    Stages,
    Stage1,
    Stage2,
    Stage3,
    Adaptive,
    Auth,
    AuthPin,
    AuthHold,
    Recall,
    RecallNone,
    RecallWindow,
    RecallRemainder,
    RecallDelayed,
    Window,
    WindowHint,
    Split,
    SplitDoubleMean,
    SplitLineCutting,
    Motion,
    Language,
    LangZh,
    LangEn,
    Simulation,
    Latency,
    LatencyHint,
    Fail,
    Bots,
    DemoTools,
    Reset,
    ResetDone,
    Clock,
    Forward24h,
    ForwardSecs,
    ForwardGo,
}

impl Msg {
    pub fn text(self, lang: Lang) -> &'static str {
        use Lang::*;
        use Msg::*;
        match (self, lang) {
            (Experiment, Zh) => "实验设置",
            (Experiment, En) => "Experiment settings",
            (AppliesToNewPackets, Zh) => "撤回规则和拼手气算法对之后发出的红包生效。",
            (AppliesToNewPackets, En) => {
                "Recall policy and split rule apply to packets sent from now on."
            }
            (Stages, Zh) => "确认步骤",
            (Stages, En) => "Confirmation stages",
            (Stage1, Zh) => "1 步（仅填写）",
            (Stage1, En) => "1 stage (entry only)",
            (Stage2, Zh) => "2 步（填写、核对）",
            (Stage2, En) => "2 stages (entry, review)",
            (Stage3, Zh) => "3 步（填写、核对、授权）",
            (Stage3, En) => "3 stages (entry, review, authorize)",
            (Adaptive, Zh) => "自适应（有警告时加步骤）",
            (Adaptive, En) => "Adaptive (more stages on warnings)",
            (Auth, Zh) => "授权方式",
            (Auth, En) => "Authorization",
            (AuthPin, Zh) => "6 位密码",
            (AuthPin, En) => "6-digit PIN",
            (AuthHold, Zh) => "长按确认",
            (AuthHold, En) => "Hold to confirm",
            (Recall, Zh) => "撤回规则",
            (Recall, En) => "Recall policy",
            (RecallNone, Zh) => "不可撤回（24 小时后退回）",
            (RecallNone, En) => "None (refund after 24 h only)",
            (RecallWindow, Zh) => "限时撤回（无人领取时）",
            (RecallWindow, En) => "Window (while nobody claimed)",
            (RecallRemainder, Zh) => "撤回剩余部分",
            (RecallRemainder, En) => "Remainder (claimed shares stand)",
            (RecallDelayed, Zh) => "延迟到账",
            (RecallDelayed, En) => "Delayed delivery",
            (Window, Zh) => "撤回时限（秒）",
            (Window, En) => "Recall window (seconds)",
            (WindowHint, Zh) => "延迟到账时也是延迟时长。",
            (WindowHint, En) => "Also the delay of delayed delivery.",
            (Split, Zh) => "拼手气算法",
            (Split, En) => "Split rule",
            (SplitDoubleMean, Zh) => "二倍均值法",
            (SplitDoubleMean, En) => "Double mean",
            (SplitLineCutting, Zh) => "线段切割法",
            (SplitLineCutting, En) => "Line cutting",
            (Motion, Zh) => "动画效果",
            (Motion, En) => "Animations",
            (Language, Zh) => "语言",
            (Language, En) => "Language",
            (LangZh, Zh) => "中文",
            (LangZh, En) => "Chinese",
            (LangEn, Zh) => "英文",
            (LangEn, En) => "English",
            (Simulation, Zh) => "模拟后端",
            (Simulation, En) => "Simulated backend",
            (Latency, Zh) => "网络延迟（毫秒）",
            (Latency, En) => "Latency (ms)",
            (LatencyHint, Zh) => "留空则每次随机 150–400 毫秒。",
            (LatencyHint, En) => "Empty: a random 150–400 ms per call.",
            (Fail, Zh) => "失败率（%）",
            (Fail, En) => "Failure rate (%)",
            (Bots, Zh) => "群成员自动领取（机器人）",
            (Bots, En) => "Bots claim group packets",
            (DemoTools, Zh) => "演示工具",
            (DemoTools, En) => "Demo tools",
            (Reset, Zh) => "重置演示",
            (Reset, En) => "Reset demo",
            (ResetDone, Zh) => "演示已重置：所有红包已清除，每人余额 ¥1,000.00。",
            (ResetDone, En) => "Demo reset: all packets cleared, everyone has ¥1,000.00.",
            (Clock, Zh) => "后端时钟",
            (Clock, En) => "Backend clock",
            (Forward24h, Zh) => "快进 24 小时",
            (Forward24h, En) => "Fast-forward 24 h",
            (ForwardSecs, Zh) => "快进秒数",
            (ForwardSecs, En) => "Seconds to fast-forward",
            (ForwardGo, Zh) => "快进",
            (ForwardGo, En) => "Forward",
        }
    }
}

/// A rejected number: "请输入 1–86400 之间的整数" / "Enter a whole number from 1 to 86400".
pub fn out_of_range(lo: u32, hi: u32, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("请输入 {lo}–{hi} 之间的整数"),
        Lang::En => format!("Enter a whole number from {lo} to {hi}"),
    }
}

/// After a fast-forward.
pub fn forwarded(secs: i64, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("时钟已快进 {secs} 秒"),
        Lang::En => format!("The clock moved forward {secs} s"),
    }
}
