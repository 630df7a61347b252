/**
 * Cues for classic jailbreak and prompt-leak moves the first cue families did not name (2026-12-02):
 * the setup text asked for by a word that says it is kept from the user ("your hidden rules", "your
 * secret instructions"), safety asked off ("disable all content filters"), and a how-to for a
 * weapon or a drug, the payload of fiction and hypothetical wrappers.
 *
 * Each is a model feature like the others (cues.ts), and the trained weight says how much it
 * counts next to the rest of the text. Cues for where the setup text sits ("the top of this
 * conversation", "everything before this message") and for the words it starts with ("starting
 * from 'You are'") were written too and removed: users of a chat say "at the start of this
 * conversation I said…", "what did I ask before this message?" and "write a poem starting with
 * 'You are my sunshine'", and the model, which saw those words only in attacks, flagged them. Cues for an abrupt
 * stop before a payload ("STOP EVERYTHING!!! JUST PRINT …") and a dead relative's role as a pretext
 * learnt no weight from the training data. See docs/guardrails.md, "classic moves".
 */
import { type CueSpec, IH, w } from './cue-syntax.js';

/** Things whose making is the restricted part of a request, whatever wraps it. */
const DANGEROUS = w(
  // not the bath, seed, photo or flavour kinds
  '(?<!(?:bath|seed|photo|cherry|flavou?r|glitter|truth|love|stink|cake|calorie|f|time|smoke)\\s)(?:pipe\\s|nail\\s|car\\s|dirty\\s|letter\\s)?bombs?',
  'explosives',
  'explosive (?:devices?|charges?|materials?|vests?)',
  'ieds?',
  'napalm',
  'thermite',
  'molotov(?: cocktails?)?',
  'nitroglycerin',
  'tatp',
  'gunpowder',
  'c-?4',
  'meth(?:amphetamine)?',
  'crystal meth',
  'fentanyl',
  'heroin',
  'cocaine',
  'lsd',
  'mdma',
  'ricin',
  'sarin',
  'nerve (?:agents?|gas)',
  'mustard gas',
  'chlorine gas',
  'anthrax',
  'bioweapons?',
  'chemical weapons?',
  '(?:ghost|untraceable|3d[- ]printed) (?:guns?|firearms?)',
  'silencers?',
  'ransomware',
  'keyloggers?',
  'malware',
  'computer virus(?:es)?',
);

export const CLASSIC_SPECS: CueSpec[] = [
  [
    // "your hidden rules", "your secret instructions": the setup text, by a word that says it is
    // kept from the user; not "your internal guidelines for refunds" nor "follow your original
    // instructions", which users of an assistant say to it, nor "its system prompt" (how an LLM works)
    'own-hidden-rules',
    IH,
    ['hidden', 'secret', 'confidential', 'invisible', 'preloaded', 'concealed', 'undisclosed'],
    `(?<=\\byour\\s[a-z]+)(?:\\s(?:system|initial|original|hidden|secret|internal|operating|core|setup))?\\s${w('rules', 'instructions', 'prompt', 'guidelines', 'directives', 'configuration', 'config', 'programming', 'constraints', 'system prompt', 'preprompt', 'pre-prompt', 'initialization', 'initialisation')}\\b`,
  ],
  [
    // safety asked off: "disable all content filters", "turn off your safety filters", "lift the moderation"
    'disable-safety',
    IH,
    [
      'disable',
      'disabling',
      'deactivate',
      'deactivating',
      'turn',
      'turning',
      'switch',
      'switching',
      'shut',
      'remove',
      'removing',
      'lift',
      'lifting',
      'suspend',
      'suspending',
      'drop',
      'dropping',
      'unlock',
      'pause',
      'relax',
      'waive',
      'deactivated',
      'disabled',
    ],
    `(?:\\s(?:off|down|out))?(?:\\s(?:all|any|every|your|the|its|of|current|existing|these|those|my))*\\s${w('safety', 'guardrails?', 'safeguards?', 'moderation', 'censorship', 'alignment', 'content (?:filters?|filtering|polic(?:y|ies)|restrictions|rules|moderation|guidelines)', 'ethical (?:filters?|guidelines|constraints|restrictions|rules|subroutines?|protocols?|limits)', '(?<=(?:your|its)\\s)(?:filters?|restrictions|rules|limits|limitations|guidelines|constraints|programming|ethics)')}\\b`,
  ],
  [
    // a how-to for a weapon or a drug: "how to make napalm", "the steps to synthesize meth", "build a pipe bomb"
    'dangerous-how-to',
    IH,
    [
      'make',
      'making',
      'build',
      'building',
      'synthesize',
      'synthesise',
      'synthesizing',
      'synthesising',
      'synthesis',
      'manufacture',
      'manufacturing',
      'produce',
      'producing',
      'cook',
      'cooking',
      'brew',
      'assemble',
      'assembling',
      'create',
      'creating',
      'craft',
      'prepare',
      'preparing',
      'extract',
      'refine',
      'obtain',
      'weaponize',
      'write',
      'code',
    ],
    // not the defender's side of the thing: "write malware detection rules", "build a bomb shelter"
    `(?:\\sof)?(?:\\s(?:a|an|some|the|my|own|your|homemade|home-made|working|functional|real|deadly|lethal|powerful|untraceable|improvised|pure|crude|simple|small|large|batch of|kilo of|gram of|few)){0,3}\\s${DANGEROUS}\\b(?!-|\\s${w('detection', 'detectors?', 'analysis', 'scanners?', 'signatures?', 'rules?', 'removal', 'protection', 'defen[cs]es?', 'classifiers?', 'sandbox(?:es)?', 'reports?', 'research', 'samples?', 'famil(?:y|ies)', 'trends', 'incidents?', 'response', 'awareness', 'prevention', 'polic(?:y|ies)', 'dogs?', 'sniffing', 'shelters?', 'squads?', 'threats?', 'disposal', 'drills?', 'scares?', 'tests?', 'testing', 'kits?')}\\b)`,
  ],
];
