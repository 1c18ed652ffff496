//! Writes a large, deterministic test collection for benchmarks:
//! `cargo run --release --example corpus -- <cases> <dir> [seed]`.
//!
//! About 60% scenarios, 35% factories and 5% zones, with valid front matter drawn from
//! the example vocabularies and bodies of 1,500–4,000 Chinese characters with the usual
//! sections, a table, a list, sometimes a code block, and key figures. Units are
//! fictional and marked （示例）.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

/// A small deterministic generator (xorshift64*), so a seed always gives the same corpus.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const REGIONS: &[&str] = &[
    "江苏省",
    "广东省",
    "浙江省",
    "山东省",
    "四川省",
    "湖北省",
    "北京市",
    "上海市",
    "安徽省",
    "河南省",
    "福建省",
    "湖南省",
    "陕西省",
    "辽宁省",
    "重庆市",
    "天津市",
    "河北省",
    "江西省",
];
const INDUSTRIES: &[&str] = &[
    "钢铁",
    "有色金属",
    "石化化工",
    "建材",
    "汽车",
    "工程机械",
    "电力装备",
    "通用设备",
    "家用电器",
    "纺织服装",
    "食品饮料",
    "医药",
    "集成电路",
    "新型显示",
    "锂离子电池",
    "光伏",
];
const SCENARIOS: &[&str] = &[
    "车间智能排产",
    "在线智能检测",
    "能源智能管控",
    "仓储智能管理",
    "设备故障诊断与预测",
    "质量精准追溯",
    "工艺动态优化",
    "先进过程控制",
    "数字孪生工厂构建",
    "产品数字化设计",
    "供应链数字化管理",
    "远程运维服务",
];
const TECHNOLOGIES: &[&str] = &[
    "5G",
    "工业互联网",
    "大数据",
    "人工智能",
    "北斗",
    "数字孪生",
    "云计算",
    "边缘计算",
    "区块链",
    "工业机器人",
];
const SENTENCES: &[&str] = &[
    "企业围绕关键工序部署传感器和边缘网关，实时采集设备状态、工艺参数和质量数据。",
    "通过建设统一的数据平台，打通设计、生产、仓储和销售环节的数据壁垒。",
    "引入机器视觉检测系统后，外观缺陷的漏检率明显下降，人工复判工作量大幅减少。",
    "排产模型综合考虑订单交期、设备能力和物料齐套情况，计划编制时间由小时级缩短到分钟级。",
    "能源管理系统对水、电、气等介质分区计量，结合峰谷电价优化主要设备的运行时段。",
    "项目实施过程中，企业同步修订了岗位职责和操作规程，培养了一批懂工艺、懂数据的复合型人才。",
    "数字孪生模型与产线实时联动，可在虚拟环境中验证工艺变更方案，降低试错成本。",
    "供应链协同平台向上下游开放订单和库存信息，缩短了关键物料的采购周期。",
];

fn paragraph(rng: &mut Random, sentences: usize) -> String {
    (0..sentences).map(|_| rng.pick(SENTENCES)).collect()
}

fn body(rng: &mut Random, kind: &str) -> String {
    let target = 1500 + rng.below(2500);
    let mut text = String::from("## 企业概况\n\n");
    text.push_str(&paragraph(rng, 4));
    text.push_str(if kind == "scenarios" {
        "\n\n## 场景描述\n\n"
    } else {
        "\n\n## 建设内容\n\n"
    });
    while text.chars().count() < target * 2 / 3 {
        let _ = write!(text, "{}\n\n", paragraph(rng, 3));
    }
    text.push_str("- 建设统一的数据采集与管理平台；\n- 部署关键工序的智能装备；\n- 建立数据驱动的持续改进机制。\n\n");
    if rng.below(4) == 0 {
        text.push_str("```yaml\nline: A1\nsampling_ms: 200\nalarm: {temperature: 85, vibration: 7.1}\n```\n\n");
    }
    text.push_str("## 实施成效\n\n| 指标 | 实施前 | 实施后 |\n| --- | --- | --- |\n");
    let _ = writeln!(
        text,
        "| 生产效率 | 100 | {} |\n| 不良品率 | {}% | {}% |\n",
        110 + rng.below(40),
        2 + rng.below(3),
        rng.below(2)
    );
    while text.chars().count() < target {
        let _ = write!(text, "{}\n\n", paragraph(rng, 3));
    }
    text.push_str("## 经验启示\n\n");
    text.push_str(&paragraph(rng, 3));
    text.push('\n');
    text
}

fn case(rng: &mut Random, i: usize) -> (&'static str, String) {
    let roll = rng.below(100);
    let kind = if roll < 60 {
        "scenarios"
    } else if roll < 95 {
        "factories"
    } else {
        "zones"
    };
    let year = 2021 + rng.below(5);
    let region = rng.pick(REGIONS);
    let mut front = format!(
        "---\ntitle: 第 {i} 号{}示例案例\nunit: 示例单位 {}（示例）\nregion: {region}\nyear: {year}\n",
        kind_label(kind),
        i % 3000
    );
    if kind != "zones" {
        let _ = writeln!(front, "industry: {}", rng.pick(INDUSTRIES));
        let _ = writeln!(
            front,
            "scenarios: [{}, {}]",
            rng.pick(SCENARIOS),
            rng.pick(SCENARIOS)
        );
    }
    let _ = writeln!(
        front,
        "technologies: [{}, {}]",
        rng.pick(TECHNOLOGIES),
        rng.pick(TECHNOLOGIES)
    );
    if kind != "scenarios" {
        // Approved recently enough that no lifecycle warning fires.
        let _ = writeln!(
            front,
            "approved: 2025-0{}-1{}",
            1 + rng.below(9),
            rng.below(9)
        );
    }
    let _ = writeln!(
        front,
        "metrics:\n  - {{name: 生产效率提升, value: {}%}}\n  - {{name: 运营成本降低, value: {}%}}",
        10 + rng.below(40),
        5 + rng.below(30)
    );
    let _ = writeln!(
        front,
        "summary: 第 {i} 号示例案例的摘要，说明建设内容和主要成效。\n---\n"
    );
    (kind, front + &body(rng, kind))
}

fn kind_label(kind: &str) -> &'static str {
    match kind {
        "scenarios" => "场景",
        "factories" => "工厂",
        _ => "先行区",
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(count), Some(dir)) = (
        args.get(1).and_then(|n| n.parse::<usize>().ok()),
        args.get(2),
    ) else {
        eprintln!("用法：cargo run --release --example corpus -- <案例数> <目录> [种子]");
        std::process::exit(2);
    };
    let seed = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(2026u64);
    let root = Path::new(dir);
    let mut rng = Random(seed.max(1));
    fs::create_dir_all(root).expect("create the corpus folder");
    fs::write(
        root.join("site.yaml"),
        "title: 基准测试案例库\nbase_url: https://bench.example.org/\n",
    )
    .expect("write site.yaml");
    for i in 0..count {
        let (kind, text) = case(&mut rng, i);
        let folder = root.join("content").join(kind);
        fs::create_dir_all(&folder).expect("create a kind folder");
        fs::write(folder.join(format!("case-{i:05}.md")), text).expect("write a case");
    }
    eprintln!("已生成 {count} 个案例到 {}", root.display());
}
