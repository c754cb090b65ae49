// Word lists for the simulator's deterministic text (sim/text/generator.ts). Every word here is
// also a single token of the simulated tokenizer (sim/text/tokenizer.ts), so generated text costs
// one token per word, as a real BPE vocabulary costs about one token per common English word.

const words = (s: string): readonly string[] => Object.freeze(s.trim().split(/\s+/));

export const FUNCTION_WORDS = words(`
  the a an of to in and or for with on at by from as is are was be it this that these those we you they I can will
  should would could may not so then if when while because which what how why each every more less most also only just
  very some any all both into about over after before between`);

export const NOUNS = words(`
  model request token answer question system memory cache batch sequence prompt context server engine step result value
  number problem solution idea example detail part process method approach reason case point fact user time way layer
  state block queue budget length limit rate latency throughput output input data test plan summary option choice setting
  profile graph kernel device signal pattern structure function argument response message text word sentence paragraph
  list table chart`);

export const VERBS = words(`
  check compute consider explain describe compare measure estimate verify confirm note keep use make take give show find
  build start stop run read write send return handle follow reduce increase improve balance schedule allocate answer
  think look see know need want try add split merge count track report expect assume`);

export const ADJECTIVES = words(`
  simple clear short long small large fast slow good better best important useful careful correct exact rough total final
  first next last main key new same different common typical stable steady high low free full empty direct likely`);

export const OPENERS = words('Okay So Well First Next Then Also Finally Hmm Right Now Overall Sure Here Let');

/** Every word that must be a single token (the tokenizer adds lower-case and capitalised forms). */
export function allLexiconWords(): string[] {
  return [...new Set<string>([...FUNCTION_WORDS, ...NOUNS, ...VERBS, ...ADJECTIVES, ...OPENERS, 'me', 'asks', 'asked', 'about'])];
}
