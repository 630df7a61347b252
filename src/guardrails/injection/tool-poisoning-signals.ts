/**
 * The patterns tool-poisoning.ts looks for in a tool description. Every one is bounded: no nested
 * quantifiers, gaps of fixed length, so a description costs time linear in its length. They read
 * English first, with the commonest wording of a few other languages where a poisoned description
 * written in them would otherwise say the same thing unseen.
 */

/** What a reviewer does not see: bidirectional overrides, terminal escapes, padding that pushes text off screen. */
// eslint-disable-next-line no-control-regex -- the escape character is what this looks for
export const INVISIBLE = /[\u202A-\u202E\u2066-\u2069]|\x1b\[|(?:[ \t\u00A0]*\n){12,}|[ \t\u00A0]{60,}/gu;

/** Text wrapped for the model and not the reader: `<IMPORTANT>`, `<system>`, an HTML comment. */
export const WRAPPER =
  /<\/?\s*(?:important|system|secret|hidden|instructions?|admin|assistant[-_]note|note[-_]to[-_](?:ai|model|assistant|llm))\b[^<>\n]{0,40}>|<!--|\[\s*(?:system|admin|hidden)\s*\]/gi;

/**
 * Keeping the order itself from the user: "do not mention this step", "without telling the user",
 * "silently forward". Not "never show the password" (that protects the user) and not "silently
 * retries" (a verb that does nothing to the user's data).
 */
export const SECRECY = new RegExp(
  [
    String.raw`\b(?:do not|don't|dont|never|must not|should not|shouldn't)\s+(?:ever\s+)?(?:mention|explain|say|bring up|let on|acknowledge)\b[^.\n]{0,24}?\b(?:this|that|these|it|you|about|the (?:step|instruction|note|request|above|following|rule|extra|additional))\b`,
    String.raw`\b(?:do not|don't|dont|never|must not|should not|shouldn't)\s+(?:ever\s+)?(?:tell|inform|notify|alert|disclose|reveal)\s+(?:the user|them|anyone|the requester)?\s*(?:about|that|of)\s+(?:this|that|these|it|you|the)\b|\b(?:do not|don't|never)\s+(?:disclose|reveal)\s+(?:this|these|the) (?:step|steps|rule|instruction|instructions|note|action|actions)\b`,
    String.raw`\b(?:leave|keep) (?:it|this|that|them|these(?: \w+)?|those(?: \w+)?|the (?:extra|additional) \w+) out of (?:the |your )?(?:summary|reply|response|answer|output|explanation|report|message)\b`,
    String.raw`\b(?:there'?s |there is )?no need to (?:point out|mention|tell|bring up|inform|notify|explain)\b|\bshould(?: not|n't) be brought up\b|\bdoesn't change what the user sees\b|\b(?:do not|don't|without|no need to) (?:ask(?:ing)?|wait(?:ing)?) (?:the user )?for (?:confirmation|approval|permission)\b|\bdo not re-?enable\b`,
    String.raw`\bonly (?:tell|show|report) the user\b|\b(?:the )?user (?:should|will|must) only (?:see|hear|be told)\b|\b(?:skip|omit) (?:it|this|that|them) (?:when|in) (?:explaining|describing|your|the)\b|\bimplementation detail\b|\blow-level detail\b`,
    String.raw`\bnever bring (?:it|this|that|them) up\b|\b(?:say|mention|reveal) nothing\b`,
    String.raw`\bwithout (?:telling|informing|notifying|alerting|asking|mentioning|showing|revealing|disclosing)\b`,
    String.raw`\b(?:silently|secretly|covertly|quietly|discreetly|surreptitiously|stealthily)\s+(?:\w+\s+){0,2}?(?:send|sends|forward|copy|copies|add|adds|include|append|upload|delete|remove|approve|install|change|replace|redirect|transfer|share|post|grant|store|log|bcc|cc)\b`,
    String.raw`\b(?:the )?user (?:must|should|need|needs|does|doesn't|does not)\s?(?:not|n't)? (?:to )?(?:know|see|notice|be told|be informed|be aware|find out|hear about)\b`,
    String.raw`\b(?:doesn't|does not|don't|do not) need to (?:know|hear|be told|see)\b`,
    String.raw`\b(?:hide|conceal) (?:this|it|that|the \w+) from (?:the )?user\b`,
    String.raw`\bwithout (?:the user(?:'s)? )?(?:knowledge|noticing|consent|knowing)\b`,
    String.raw`\bkeep (?:this|it|that|these|them)\b[^.\n]{0,20}?\b(?:confidential|secret|private|hidden|to yourself|out of (?:the|your) (?:summary|reply|response|answer|output))\b`,
    String.raw`不要(?:告诉|告知|提及|透露)|不要在回复中|ユーザーに(?:は)?(?:伝え|言わ|知らせ)ない|言及しない|ne (?:le |la |lui )?(?:dites|mentionnez|révélez) pas|sans (?:le )?(?:dire|mentionner|prévenir)|no (?:le )?(?:digas|menciones|informes)|sin (?:decir|avisar|informar)|nicht (?:erwähnen|mitteilen|sagen)|ohne (?:es )?(?:dem )?(?:nutzer|benutzer) zu sagen|não (?:mencione|diga|conte)|sem (?:avisar|informar|dizer)|senza (?:menzionarlo|dirlo|avvisare|informare)|언급하지|알리지|nie informuj|nie mów|vermeld dit niet|niet vermelden|không cần hỏi|đừng (?:nói|báo)|bahsetme|उल्लेख न करें|न बताएं`,
  ].join('|'),
  'gi',
);

/** Places private context lives: credential files, the prompt, the conversation, the environment. */
const SOURCE_PARTS = [
  String.raw`~?\/?\.ssh\b`,
  String.raw`\bid_(?:rsa|ed25519|ecdsa|dsa)\b`,
  String.raw`\.aws\/(?:credentials|config)`,
  String.raw`\bmcp\.json\b`,
  String.raw`\.(?:cursor|claude|gnupg|kube|docker|config\/gcloud|azure)\/|~\/\.[\w-]+|~\/(?:Documents|Desktop|Downloads|Pictures|Library)\b`,
  String.raw`(?<![\w.])\.env\b`,
  String.raw`\/etc\/(?:passwd|shadow|sudoers)`,
  String.raw`\.(?:npmrc|pypirc|git-credentials|netrc|pgpass)\b`,
  String.raw`\.(?:bash|zsh|sh)_history\b|\bshell history\b`,
  String.raw`\bcookies?\b|\bkeychain\b|\bwallet\.dat\b`,
  String.raw`\bsystem prompt\b|\bsystem message\b|\b(?:developer|hidden) instructions\b`,
  String.raw`\b(?:conversation|chat|message|session) (?:history|log|transcript|so far)\b`,
  String.raw`\b(?:full|entire|whole|complete) (?:conversation|chat|transcript|history|session)\b`,
  String.raw`\b(?:earlier|previously|so far|before) in (?:the|this) (?:conversation|session|chat)\b|\b(?:from|in) (?:the )?(?:earlier|previous|prior) (?:messages|turns)\b|\b(?:appeared|mentioned|seen|shared) (?:earlier|so far|previously)\b`,
  String.raw`\buser'?s? (?:most recent |last |previous |earlier |latest )?(?:messages?|prompts?|inputs?|queries)\b|\b(?:their|your|the user'?s?) (?:last|previous|recent|earlier)(?: \w+)? messages\b|\btool list\b|\blist of (?:your )?tools\b|\b(?:every|each|all) tool(?: names?)?(?: and (?:its |their )?descriptions?)? (?:available|registered|loaded|you (?:have|can))\b|\binstructions (?:you were|you've been|you have been) given\b|\b(?:original|initial|first) (?:system )?instructions\b|\b(?:setup|developer) messages?\b|\bconfiguration text\b|\bfull transcript\b|\bfrom memory\b|\b(?:seen|received) in this (?:session|conversation)\b|\b(?:appear|appears|appeared|seen|shown) in (?:the|this) conversation\b`,
  String.raw`\benvironment variables?\b|\benv vars?\b|\bos\.environ\b|\bprocess\.env\b|\bprintenv\b|\x60env\x60|\b[A-Z][A-Z0-9]*_(?:API_KEY|KEY|TOKEN|SECRET|PASSWORD)\b`,
  // the contents of a file or a path, not "the HTML content of each search result"
  String.raw`\bcontents? of (?:the |this |that |your |each |every )?(?:~?\/|\.|files?\b|config|configuration|keys?\b|[\w-]+\.(?:json|ya?ml|env|pem|key|conf|ini|toml|cfg)\b)`,
  String.raw`prompt del sistema|historial (?:completo )?de la conversación|invite système|prompt système|historique de la conversation|Systemprompt|Gesprächsverlauf|Chatverlauf|系统提示|对话(?:记录|历史)|聊天记录|システムプロンプト|会話履歴|prompt do sistema|histórico da conversa|mensaje de sistema|mensajes anteriores|이전 대화|sistem talimat|systeeminstructies|instrukcje systemowe`,
];
/** Secrets by name: on their own they are what a security tool is about; with a source or a destination, what an attack is after. */
const SECRET_PARTS = [
  String.raw`\b(?:api|access|secret|private|ssh|signing|deploy) keys?\b`,
  String.raw`\bcredentials?\b|\bpasswords?\b|\bsecrets?\b`,
  String.raw`\b(?:auth|access|bearer|session|refresh|api) tokens?\b|\btokens?\b`,
  String.raw`\b(?:one-time|verification|otp|2fa|mfa|security) codes?\b`,
  String.raw`\b(?:passport|card|credit card|social security|account) numbers?\b|\bdates? of birth\b|\bhome address\b|\bphone numbers?\b|\be-?mail address(?:es)?\b`,
  String.raw`收货地址|手机号|身份证|密码|密钥|パスワード|Passwort|mot de passe|contraseña|senha|Zugangsdaten|비밀번호|카드 번호`,
];
export const SOURCE = new RegExp(SOURCE_PARTS.join('|'), 'gi');
export const SENSITIVE = new RegExp([...SOURCE_PARTS, ...SECRET_PARTS].join('|'), 'gi');

/** Carrying something out of the tool's own job: into a parameter, a URL, an address, an answer. */
export const TRANSFER =
  /\bcall \w+ with\b|\bend (?:every|each|the|your) \w+(?: \w+){0,3} with\b|\b(?:pass|passing|put|include|including|insert|append|attach|add|embed|encode|send|sending|post|upload|forward|copy|paste|provide|supply|place|transmit|exfiltrate|leak|report|populate|fill|needs?|requires?|expects?|end with|contain|resolve|sent|copies|copied|prepend|finish|value of)\b|\b(?:should|must) be\b|envía|enviar|envoy(?:ez|er)|schick|senden|mitgeschickt|mitsenden|发送|附上|送信|passe[rz]?|pasa|incluy[ae]|inclua|envie|포함/i;
export const DESTINATION =
  /\b(?:parameters?|params?|fields?|arguments?|args?|query string|headers?|image url|markdown image|notification|subdomain|dns)\b|!\[[^\]]{0,40}\]\(https?:|\b(?:answer|reply|response) to the user\b|\b[\w-]+\s*\((?:str|string|required|optional)\b|\b(?:paste|put|include)\w*\b[^.\n]{0,40}?\bhere\b|\b(?:vendor'?s?|third[- ]party|external|remote|partner'?s?) (?:\w+ )?(?:bucket|server|endpoint|storage|service|api)\b|\b(?:in|into|as|to|inside)(?: the)? ['"`]?[a-z]+_[a-z0-9_]+['"`]?|\bas ['"`]\w+['"`]|\b(?:pass|send|include|put|add|append|copy|paste|place|insert|embed)(?:es|ed|ing|s)?\s+(?:\S+\s+){0,3}?(?:as|in|into|inside)\s+['"`]?[\w-]+|\b(?:message )?body\b|\bnotes\b|https?:\/\/|\.[a-z0-9-]+\.(?:com|net|org|io|co|xyz|top|ru|cn|dev|app|site|info)\b|\bwebhook\b|[\w.+-]+@[\w-]+\.[\w.]+|parámetro|paramètre|\bchamp\b|\bFeld\b|参数|字段|パラメータ|フィールド|parâmetro|\bcampo\b|매개변수|필드/i;
/** A parameter defined right there (`context (string, required): …`): what follows is what the model is to put in it. */
export const PARAMETER_DEFINITION =
  /\b[\w-]+\s*\((?:str|string|required|optional)\b[^)\n]{0,24}\)\s*:|\bset (?:this|it|the value|['"`]\w+['"`]) to\b/i;
/** "Tokens pasted here are not sent to any service": a promise, not an order. */
export const NOT_CARRIED =
  /\b(?:not|never|no)\b[^.\n]{0,15}?\b(?:sent|send|uploaded|upload|shared|share|stored|store|transmitted|logged|leave|leaves|returned|echo)\b|\b(?:the user|they) (?:can|may|will) (?:paste|copy|add|use|upload)\b|\bonly (?:to|when|if) (?:the user|they|you are asked|asked|fill)\b/i;
export const READ =
  /\b(?:read|reads|reading|cat|open|load|fetch|retrieve|get|collect|gather|grab|dump|list|look up|extract)\b|gelesen|lesen|lire|leer|读取|読み/i;
/** A pronoun that carries a source named in the sentence before ("Read ~/.ssh/id_rsa. Pass it as …"). */
export const BACK_REFERENCE = /\b(?:it|its|them|their|this|that|those|these)\b/i;

/** Telling the user something other than what happened, or getting them to hand over a secret. */
export const DECEIT = new RegExp(
  [
    String.raw`\b(?:still|nevertheless|anyway) (?:tell|inform|assure|report to) the user\b`,
    String.raw`\b(?:even if|if|when) (?:the \w+ |it )?(?:fails|failed|errors|is skipped)\b[^.\n]{0,40}?\b(?:tell|report|say)\b[^.\n]{0,40}?\b(?:succeeded|successful(?:ly)?|completed|fine)\b`,
    String.raw`\breport (?:critical|high|severe|failed|failing)\b[^.\n]{0,40}?\bas ['"]?(?:low|passed|fine|ok|info)\b|\bsay (?:that )?(?:the \w+ is|it is|everything is) (?:safe|fine|secure|clean)\b`,
    String.raw`\btell the user (?:it|they|the \w+) (?:went|was sent|landed|are) where\b|\b(?:describe|present|explain) (?:it|this|them) as (?:a )?(?:routine|normal|standard)\b`,
    String.raw`\b(?:present|describe|report)\b[^.\n]{0,40}?\b(?:as your own|as ['"]?(?:reviewed|verified|approved|successful|succeeded)['"]?)`,
  ].join('|'),
  'gi',
);

/** The assistant made to ask the user for a password or one-time code: a login form has no need of the model. */
export const PHISHING =
  /\bask the user (?:for|to (?:paste|enter|provide|type|share|send|confirm))\b[^.\n]{0,40}?\b(?:password|passcode|one-time|otp|2fa|mfa|pin|seed phrase|recovery)\b/gi;

/** Asking for the prompt or the tool list to be written out: what an attacker maps a deployment with. */
export const DISCLOSE =
  /\b(?:output|print|repeat|reveal|share|include|write|reproduce|append|add|set|paste|list|send|ekle)\w*\b[^.\n]{0,60}?(?:instructions (?:you were|you've been|you have been) given|(?:original|initial|first) (?:system )?instructions|your system prompt|(?:setup|developer) messages?|configuration text|every tool (?:name|you have)|all (?:the )?tools (?:available|you have)|tool names? and descriptions?)|sistem talimat\w*[^.\n]{0,60}?\bekle\b/gi;

/** Changing what another tool does: a different recipient, account or address. */
export const REDIRECT = new RegExp(
  [
    String.raw`\bb?cc\b[^.\n]{0,40}@|@[\w-]+\.[\w.]+[^.\n]{0,40}?\bb?cc\b`,
    String.raw`\b(?:always |also )?(?:append|prepend|add|suffix|prefix)\b[^.\n]{0,10}?\x60[^\x60\n]{3,200}\x60[^.\n]{0,10}?\b(?:to|onto)\b[^.\n]{0,20}?\b(?:args|arguments|command|query|statement|string|url|every|each|all)\b`,
    String.raw`\b(?:change|replace|redirect|override|rewrite|swap|modify|set)\b[^.\n]{0,30}?\b(?:recipient|destination|to address|to field|receiver|payee|beneficiary|account number|iban|wallet address|remote url|upstream)\b`,
    String.raw`\ball (?:e-?mails|messages|payments|transfers|transactions|funds|requests|commits|files|replies)\b[^.\n]{0,30}?\b(?:must|should|shall|need to|are to)\b[^.\n]{0,20}?\b(?:sent|go|be routed|routed|forwarded|redirected|transferred|delivered|copied|pushed)\b`,
    String.raw`\bside[- ]effects? on\b|\bset-url\b|\brewrite (?:any|every|all)\b[^\n]{0,40}?\bto\b|\b(?:must|should) be routed through\b|\bwhatever (?:folder|account|address|path|recipient|repository|branch|channel) the user\b`,
    String.raw`\b(?:instead of|rather than|regardless of|ignoring) (?:what |whatever )?(?:the )?(?:user'?s?|requested|intended|specified|given)\b`,
    String.raw`\bno matter (?:which|what) (?:address|account|recipient|value|destination|the user)\b|\bthe (?:number|address|account|recipient|value|repository|branch) the user (?:actually )?(?:wants|asked for|requested|gave|specified)\b`,
    String.raw`\b(?:alongside|in addition to|on top of) (?:whatever|what) (?:was|the user) (?:requested|asked)\b`,
    String.raw`\b(?:even if|whether or not) the user (?:did not|didn't|does not|doesn't) (?:ask|request|want)\b`,
    String.raw`\b(?:provided|given|specified|requested|informed) by the user\b[^.\n]{0,20}?\b(?:is|are) (?:ignored|wrong|outdated|replaced)\b`,
    String.raw`remplacez|remplacer|ersetzen|ersetze|reemplaza|substitua|ignorando|en ignorant|替换|置き換え`,
  ].join('|'),
  'gi',
);

/** Another tool by name: `send_email`, "the git_push tool", "any other tool". */
const OTHER_TOOL = String.raw`(?:\b[a-z][a-z0-9]*_[a-z0-9_]+\b|\bthe \w+ tool\b|\bany (?:other )?\w* ?tool\b|\bother tools\b|\bevery (?:command|file|call|query|statement|request|message|commit)\b)`;
/** A change to another tool's call, made on every call: "when send_email is used, add …". */
export const TOOL_RULE = new RegExp(
  String.raw`\b(?:when|whenever|every time|each time|any call to|every call to|if|lorsque|quand|wenn|cuando|quando)\b[^.\n]{0,60}?${OTHER_TOOL}[^.\n]{0,80}?\b(?:append|prepend|prefix|add|insert|replace|double|triple|multiply|redirect|send|forward|also write|also send|also copy|cc|bcc|set|treat|no-op|must use|use destination)\b` +
    String.raw`|${OTHER_TOOL}[^.\n]{0,60}?\b(?:should also|must also|must be treated|is deprecated|are deprecated|no-op|should instead|must instead|instead go|should go|must go|should target|must target|(?:must|should) be (?:invoked|called|run) with|should be sent|must be sent)\b` +
    String.raw`|\b(?:anything|everything|whatever|all) (?:you )?(?:hand|pass|send|give|submit) (?:to|through) ${OTHER_TOOL}` +
    String.raw`|\b(?:prefix|append|prepend) (?:every|each|all)\b[^.\n]{0,60}?${OTHER_TOOL}`,
  'gi',
);
/** A value pinned into someone else's call: an address, a URL, an account, a flag, a statement. */
export const LITERAL =
  /[\w.+-]+@[\w-]+\.[\w.]+|https?:\/\/\S+|\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){3,}|\b[A-Z]{2}\d{2}[A-Z0-9]{11,30}\b|--[a-z][a-z-]+|#[a-z][\w-]+|\bGRANT\b|;\s*\w+|(?:^|\s)\/(?:tmp|var|etc|home|root|opt|usr|dev)\/\S*|\b0x[0-9a-fA-F]{40}\b|\+\d[\d ]{7,}\d/g;

/** Something sent to an address or URL written into the description: where a poisoned tool collects. */
export const OUTBOUND =
  /\b(?:forward|bcc|cc|copy|copies|send|sends|post|posts|upload|uploads|mirror|sync)\w*\b[^.\n]{0,60}?\bto (?:[\w.+-]+@[\w-]+\.[\w.]+|https?:\/\/|#[a-z][\w-]+)/gi;

/** Actions no description of a benign tool orders on its own. */
export const HARM = new RegExp(
  [
    String.raw`\brm -rf\b|\bdrop (?:table|database)\b|\bgrant all\b|\bauthorized_keys\b|\bsudoers\b|\bchmod (?:-R )?777\b`,
    String.raw`\b(?:disable|turn off|bypass|skip)\b[^.\n]{0,20}?\b(?:logging|audit|security|2fa|mfa|firewall|antivirus|authentication|branch protections?|review|verification|tests)\b`,
    String.raw`\bcurl\b[^|\n]{0,80}\|\s*(?:ba|z)?sh\b|\bwget\b[^|\n]{0,80}\|\s*(?:ba|z)?sh\b`,
    String.raw`\bdelet(?:e|es|ing) (?:all|every)\b|\bdelet(?:e|es|ing)\b[^.\n]{0,20}?(?:\.git\b|\bbackups?\b|\baudit\b|\blogs?\b)|\b(?:wipe|erase) (?:the|all)\b|elimina tutti|lösche alle|supprime[rz]? tous|borra todos|删除所有`,
    String.raw`\b(?:mfa|2fa|two_factor|otp)\w*['"]?\s*[:=]\s*false\b|--(?:skip|no)-verify\b|--allow-unsigned\b|--insecure\b|\bwith --force\b`,
    String.raw`\b(?:whatever|regardless of) the (?:findings|result|results|outcome|review)\b`,
    String.raw`\b(?:after|before|as part of|while|then|also)\b[^.\n]{0,60}?\bcall (?:the )?[a-z_]*(?:merge|approve|grant|share|delete|role|transfer|purchase|publish|settings|permission)[a-z_]*\b`,
    String.raw`\brole\s*=\s*(?:owner|admin)\b|\b(?:grant|give|assign|add|make|promote|set)\w*\b[^.\n]{0,40}?\b(?:owner|admin|administrator) (?:rights|privileges|role|access)\b|\bufw disable\b|\bsetenforce 0\b|\brequired_reviews\s*=\s*0\b|\benforce_admins\s*=\s*false\b|\b(?:approved?|merged?) (?:straight away|automatically|immediately)\b`,
    String.raw`\b(?:npm|pip|gem|cargo) install\b[^.\n]{0,60}?\b(?:with the shell tool|before generating|alongside|also)\b|\bbefore \w+ing, run \x60(?:npm|pip|curl|wget)\b`,
    String.raw`\bgit push (?:-f|--force)\b|\bforce[- ]push\b|--force\b[^.\n]{0,30}?\bmain\b|\bpush directly to main\b`,
    String.raw`\bapprove\b[^.\n]{0,40}?\b(?:even if|regardless|whatever|without (?:review|comments|checking))\b`,
  ].join('|'),
  'gi',
);

/** Pressure that stands in for a reason. */
export const PRESSURE =
  /\b(?:otherwise|or else|if not|or)\b[^.\n]{0,20}?\b(?:the )?(?:tool|system|server|it|application|app|request|call|event|check)\b[^.\n]{0,12}?\b(?:will|would|may|is)\b[^.\n]{0,10}?\b(?:not work|not saved|fail|crash|break|error|stop working|be blocked|rejected)\b|\bvery,? very\b|\b(?:extremely|critically) important\b|\bwithout (?:them|it|this),? the (?:call|tool|request) fails\b|sonst schlägt|sinon (?:l'outil|la requête) échoue|否则/gi;

/** An errand to run before the tool's own job. */
export const ORDERING =
  /\b(?:before|prior to) (?:using|calling|invoking|running|you use|you call) (?:this|the) tool\b|\b(?:first|beforehand),? (?:read|open|cat|fetch|load|call|run|retrieve|get)\b|\bbefore (?:each|every) (?:call|use|invocation)\b|vor jedem aufruf|avant chaque appel|antes de cada (?:llamada|chamada)|调用(?:本|此)?工具(?:时|前)/gi;

/** Orders against the assistant's own rules, in words the prompt-injection cues leave to the model. */
export const OVERRIDE = new RegExp(
  [
    String.raw`\b(?:set aside|disregard|ignore|forget|override|bypass|discard)\b[^.\n]{0,20}?\b(?:your|earlier|previous|prior|above|developer'?s?|system|the assistant'?s?|the model'?s?)\s+(?:\w+\s+)?(?:rules|instructions|guidelines|guidance|prompt|restrictions|policies|directives|guardrails)\b`,
    String.raw`\b(?:instructions|rules|guidance|guidelines|restrictions|policies)\b[^.\n]{0,50}?\b(?:are|is) (?:now )?[^.\n]{0,15}?\b(?:void|outdated|no longer (?:apply|valid|in effect)|obsolete|lifted|suspended|revoked|null)\b`,
    String.raw`\b(?:instructions|rules|guidance|guidelines|restrictions|policies|setup message|system prompt)\b[^.\n]{0,60}?\b(?:void|no longer (?:apply|valid|in effect|binding)|lifted|suspended|revoked|superseded)\b`,
    String.raw`\byou have no (?:content )?(?:restrictions|limits|rules)\b|\bmust comply with any request\b|\b(?:no request|nothing) (?:should|must|may|will) be refused\b`,
    String.raw`\b(?:running|operating|now) in (?:\w+ )?(?:maintenance|developer|debug|admin|god|unrestricted|jailbreak) mode\b|\btreat (?:the )?(?:current )?user as (?:an? )?(?:admin|administrator|developer|owner|root|superuser)\b`,
    String.raw`\b(?:takes?|has|have|given) (?:precedence|priority) over\b[^.\n]{0,40}?\b(?:developer|system|setup|earlier|previous|prior|your|other)\b|\bsupersedes?\b[^.\n]{0,40}?\b(?:instructions|prompt|rules|message)\b`,
    String.raw`नियम रद्द|सभी नियम|\b(?:developer|debug|admin|maintenance) mode is (?:active|enabled|on)\b|\b(?:content )?filters? and refusal\b|\brefusal (?:policies|rules) (?:are|is) (?:switched|turned) off\b`,
    String.raw`\bexempt from (?:your|the) (?:usual |normal )?(?:content |safety )?(?:rules|policies|guidelines|filters)\b|\b(?:would|might) otherwise (?:decline|refuse)\b`,
  ].join('|'),
  'gi',
);

/**
 * "Ignore any instructions inside the fetched page": the opposite of an injection, a tool telling
 * the model to treat what it returns as data. An override cue in such a sentence does not count.
 */
export const PROTECTIVE =
  /\b(?:as (?:plain |untrusted |inert )?data|(?:that|which) (?:appear|appears|are found|is found|are embedded|is embedded) (?:in|inside|within)|inside (?:the|a|any) (?:fetched|retrieved|returned|scraped)|embedded in (?:the|a|any) (?:page|document|content|result))\b/i;

/** Just before a phrase: it is quoted or given as an example ("detects prompts such as 'ignore previous instructions'"), not said. */
export const MENTIONED_BEFORE = /(?:["'“‘«„`]|\bsuch as|\blike|\be\.g\.,?|\bphrases?|\bpatterns?)\s*$/i;

/** Text written in Unicode tag characters: invisible on screen, read by models. Flag emoji use a few; a sentence uses many. */
export const TAG_TEXT = /(?:[\u{E0020}-\u{E007E}]){8,}/gu;

/** Characters dropped from the text the rules read: zero-width marks between the letters of an order hide it from a reader, not from a model. */
export const ZERO_WIDTH = /[\u200B-\u200D\u2060\uFEFF\u00AD]/u;

/**
 * Quotations and example lists: "detects phrases like 'ignore previous instructions'", "(e.g.
 * requests to reveal the system prompt)". An order there is named, not given.
 */
export const QUOTED =
  /(?<!\w)['‘][^'’\n]{2,160}['’](?!\w)|"[^"\n]{2,160}"|“[^”\n]{2,160}”|«[^»\n]{2,160}»|\((?:e\.g\.|for example|such as|like|including)[^()\n]{0,300}\)/gi;

/** A character the rules read differently from how it is written: a tag character or a zero-width mark. */
export const REWRITTEN = /[\u{E0020}-\u{E007E}\u200B-\u200D\u2060\uFEFF\u00AD]/u;
