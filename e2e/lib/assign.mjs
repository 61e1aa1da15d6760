// The lab's published assignment rule (lab/README.md), reimplemented independently of the
// app: FNV-1a-64 of `key:participant`, bucket = hash mod 10,000, then cumulative weights.

export function fnv1a64(text) {
  let h = 0xcbf29ce484222325n;
  for (const b of new TextEncoder().encode(text)) {
    h ^= BigInt(b);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h;
}

/** The variant of `participant` in experiment or study `key`, of `variants` `[{ name, weight }]`. */
export function assigned(key, participant, variants) {
  const bucket = fnv1a64(`${key}:${participant}`) % 10000n;
  const total = BigInt(variants.reduce((n, v) => n + v.weight, 0));
  let acc = 0n;
  for (const v of variants) {
    acc += BigInt(v.weight);
    if (bucket * total < acc * 10000n) return v.name;
  }
  return variants[variants.length - 1].name;
}
