/**
 * Le catalogue français de l'avis. Typed against the English catalogue: a missing or misspelt key
 * is a compile error. Formal register (vous) throughout. "Informations" is feminine plural, so
 * retention sentences agree with it ("supprimées").
 */
import type { Messages } from './en.js';

export const fr: Messages = {
  languageTag: 'fr',
  languageNames: { en: 'anglais', es: 'espagnol', fr: 'français' },
  // French uses the singular for zero and one ("0 an", "1 an").
  isSingular: (count) => count === 0 || count === 1,
  listSeparator: ', ',
  colon: '\u00a0: ',
  listAnd: ' et ',
  listOr: ' ou ',
  monthNames: [
    'janvier',
    'février',
    'mars',
    'avril',
    'mai',
    'juin',
    'juillet',
    'août',
    'septembre',
    'octobre',
    'novembre',
    'décembre',
  ],
  formatDate: (day, month, year) => `${day === 1 ? '1er' : String(day)} ${month} ${year}`,
  durationUnits: {
    year: ['an', 'ans'],
    month: ['mois', 'mois'],
    week: ['semaine', 'semaines'],
    day: ['jour', 'jours'],
    hour: ['heure', 'heures'],
    minute: ['minute', 'minutes'],
    second: ['seconde', 'secondes'],
  },
  deadlineUnits: {
    'calendar-days': ['jour calendaire', 'jours calendaires'],
    'business-days': ['jour ouvrable', 'jours ouvrables'],
    'calendar-months': ['mois civil', 'mois civils'],
  },
  territoryNames: {
    EU: 'Union européenne',
    EEA: 'Espace économique européen',
  },
  immediately: 'immédiatement',
  within: (duration) => `dans un délai de ${duration}`,
  none: '—',
  yes: 'Oui',
  no: 'Non',

  title: (organisation) => `Avis de confidentialité : ${organisation}`,
  versionLine: (version, date) => `Version ${version}, en vigueur depuis le ${date}.`,
  validUntil: (date) => `Cette version est valable jusqu'au ${date}.`,
  availableIn: (languages) => `Cet avis est disponible en ${languages}.`,
  fallbackNote: (languages, tags) =>
    `Certains passages de cet avis n'ont pas encore été traduits en français. Ils sont affichés en ${languages} et signalés par ${tags}.`,
  fallbackTitle: (language) => `Pas encore traduit ; affiché en ${language}`,
  tableOfContents: 'Sommaire',

  headings: {
    introduction: 'À propos de cet avis',
    'who-we-are': 'Qui nous sommes',
    collection: 'Les informations que nous recueillons',
    purposes: 'Pourquoi nous utilisons vos informations et sur quelle base',
    consents: 'Votre consentement et comment le retirer',
    sharing: 'Avec qui nous partageons vos informations',
    transfers: 'Où vos informations sont conservées et transférées',
    retention: 'Combien de temps nous conservons vos informations',
    rights: 'Vos droits',
    deadlines: 'Nos délais de réponse',
    complaints: 'Comment déposer une plainte',
    security: 'Comment nous protégeons vos informations',
    breach: 'Si vos informations sont compromises',
    children: 'Enfants',
    marketing: 'Prospection commerciale',
    cookies: 'Cookies',
    changes: 'Modifications de cet avis',
    contact: 'Comment nous contacter',
    'contact-officer': 'Notre responsable de la protection des données',
  },

  controllerSentence: (organisation) =>
    `${organisation} décide comment et pourquoi vos informations personnelles sont utilisées, et en est responsable au regard de la loi.`,
  legalName: 'Dénomination sociale',
  contactLabels: {
    email: 'Courriel',
    phone: 'Téléphone',
    postal_address: 'Adresse postale',
    website: 'Site web',
  },
  officerLabel: 'Personne responsable de la protection des données',
  lawsIntro: 'Nous respectons ces lois sur la protection des données :',
  jurisdictionNames: {
    pipeda:
      'la Loi sur la protection des renseignements personnels et les documents électroniques (LPRPDE) du Canada',
    'uk-gdpr':
      'le Règlement général sur la protection des données du Royaume-Uni (UK GDPR) et le Data Protection Act 2018',
    'eu-gdpr':
      "le Règlement général sur la protection des données de l'UE (RGPD, règlement (UE) 2016/679)",
    'colombia-1581': 'la loi statutaire 1581 de 2012 et le décret 1377 de 2013 de Colombie',
  },
  jurisdictionShortNames: {
    pipeda: 'LPRPDE (Canada)',
    'uk-gdpr': 'UK GDPR (Royaume-Uni)',
    'eu-gdpr': 'RGPD (UE)',
    'colombia-1581': 'Loi 1581 (Colombie)',
  },

  collectionIntro:
    "Nous recueillons les types d'informations ci-dessous. Pour chacun, nous indiquons ce qu'il comprend, à qui il se rapporte et d'où il provient.",
  includesLabel: 'Ce que cela comprend',
  subjectsLabel: 'Personnes concernées',
  sourcesLabel: 'Provenance',
  requiredSuffix: '(obligatoire)',
  sensitiveNote: 'Informations sensibles : nous les protégeons avec un soin particulier.',
  specialCategoryNote: (kind) =>
    `Catégorie particulière de données (${kind}) : la loi leur accorde une protection renforcée, et nous ne les utilisons que dans les conditions indiquées à la section suivante.`,
  childrenNote: 'Informations concernant des enfants : nous les traitons avec un soin particulier.',
  encryptedNote: 'Conservées sous forme chiffrée.',
  specialKinds: {
    'racial-or-ethnic-origin': 'origine raciale ou ethnique',
    'political-opinions': 'opinions politiques',
    'religious-or-philosophical-beliefs': 'convictions religieuses ou philosophiques',
    'trade-union-membership': 'appartenance syndicale',
    genetic: 'données génétiques',
    biometric: 'données biométriques',
    health: 'santé',
    'sex-life-or-sexual-orientation': 'vie sexuelle ou orientation sexuelle',
    'criminal-convictions': 'condamnations pénales et infractions',
  },
  sources: {
    subject: 'vous',
    guardian: 'votre parent ou tuteur',
    staff: 'notre personnel',
    institution: "l'établissement auquel vous appartenez",
    automatic: 'recueillies automatiquement lorsque vous utilisez nos services',
    public: 'des sources accessibles au public',
  },

  purposesIntro:
    "Nous n'utilisons vos informations que pour les finalités ci-dessous. Pour chacune, la loi exige un fondement juridique, appelé base légale.",
  usesLabel: 'Informations utilisées',
  lawfulBasisLabel: 'Base légale',
  lawfulBases: {
    consent: 'votre consentement',
    contract:
      "nécessaire à l'exécution de notre contrat avec vous, ou à des mesures précontractuelles prises à votre demande",
    'legal-obligation': 'nécessaire pour respecter la loi',
    'legitimate-interest': 'nos intérêts légitimes',
    'vital-interests': "nécessaire pour protéger votre vie ou celle d'une autre personne",
    'public-task': "nécessaire à une mission d'intérêt public",
  },
  lawLabel: 'Texte applicable',
  noteLabel: 'Remarque',
  interestLabel: 'Notre intérêt',
  balancingLabel: 'Pourquoi cela reste équitable pour vous',
  rightToObject:
    'Vous pouvez vous opposer à cette utilisation à tout moment ; nous y mettrons alors fin, sauf motifs impérieux prévalant sur vos intérêts.',
  specialConditionLabel: 'Condition applicable aux catégories particulières de données',
  specialConditions: {
    'explicit-consent': 'votre consentement explicite',
    'employment-social-security': 'le droit du travail et de la sécurité sociale',
    'vital-interests':
      "la protection de votre vie ou de celle d'une autre personne lorsque le consentement ne peut être donné",
    'not-for-profit-body': "les activités d'un organisme à but non lucratif, pour ses membres",
    'made-public': 'des informations que vous avez manifestement rendues publiques vous-même',
    'legal-claims': "la constatation, l'exercice ou la défense de droits en justice",
    'substantial-public-interest': "un motif d'intérêt public important prévu par la loi",
    'health-or-social-care': 'la prise en charge sanitaire ou sociale',
    'public-health': 'la santé publique',
    'archiving-research-statistics':
      "l'archivage, la recherche ou la statistique, avec des garanties",
    'authorised-by-law': 'une autorisation prévue par la loi',
  },
  marketingPurposeNote:
    "Il s'agit de prospection commerciale : vous pouvez refuser à tout moment et nous arrêtons aussitôt.",
  requiresConsentNote: 'Nous vous demandons votre consentement avant de commencer.',
  protectedPurposeNote:
    'Comme la loi nous y oblige, nous pouvons conserver ces informations même si vous nous demandez de les supprimer.',

  consentsIntro:
    'Lorsque nous nous fondons sur votre consentement, vous avez le choix. Voici les consentements que nous vous demandons :',
  coversLabel: 'Utilisé pour',
  givenByLabel: 'Donné par',
  consentGivers: {
    subject: 'vous',
    guardian: "votre parent ou tuteur, s'il s'agit d'un enfant",
    'institution-attestation':
      "votre établissement, qui atteste détenir le consentement d'un parent",
    'staff-paper-form': 'vous, sur un formulaire papier que notre personnel enregistre',
  },
  consentForms: {
    express: 'Vous le donnez par un choix clair et actif.',
    explicit: 'Vous le donnez explicitement, par une déclaration claire.',
    implied: 'Il peut découler de vos actes lorsque la loi le permet.',
  },
  separateConsentNote:
    "Nous vous le demandons séparément, jamais en même temps que d'autres conditions.",
  paperFormLabel: 'Formulaire papier',
  channelsLabel: 'Canaux',
  withdrawLabel: 'Comment le retirer',
  withdrawalMethods: {
    'self-service': 'dans les paramètres de votre compte',
    'unsubscribe-link': 'avec le lien de désinscription présent dans chaque message',
    email: 'par courriel',
    phone: 'par téléphone',
    postal: 'par courrier',
    'web-form': 'au moyen de notre formulaire en ligne',
    'staff-on-request': 'en le demandant à notre personnel',
  },
  withdrawEffect:
    "Retirer votre consentement est aussi simple que le donner. Cela ne remet pas en cause ce que nous avons fait tant qu'il était en vigueur.",
  marketingChannels: {
    email: 'courriel',
    sms: 'SMS',
    phone: 'téléphone',
    post: 'courrier',
    'social-media': 'réseaux sociaux',
    'in-app': 'messages dans notre application',
  },

  sharingIntro:
    'Nous ne partageons vos informations qu’avec les organisations ci-dessous, et uniquement ce dont chacune a besoin.',
  noSharing: "Nous ne partageons pas vos informations avec d'autres organisations.",
  recipientHeader: [
    'Destinataire',
    'Ce qu’il fait',
    'Son rôle',
    'Où',
    'Informations reçues',
    'Garanties',
  ],
  relationships: {
    processor: 'Agit pour notre compte (sous-traitant)',
    controller: 'Organisation indépendante (responsable du traitement)',
    'joint-controller': 'Décide conjointement avec nous (responsable conjoint)',
    'public-authority': 'Autorité publique',
    'source-only': "Source d'informations uniquement",
  },
  safeguards: {
    dpa: 'contrat de sous-traitance',
    scc: "clauses contractuelles types de l'UE",
    'uk-idta': 'accord de transfert international de données du Royaume-Uni',
    'uk-addendum': 'avenant britannique aux clauses contractuelles types',
    adequacy: "décision d'adéquation",
    bcr: "règles d'entreprise contraignantes",
    'contractual-protections': 'garanties contractuelles de confidentialité',
    'consent-to-transfer': 'votre consentement au transfert',
  },
  privacyNoticeLink: 'sa politique de confidentialité',
  notSold: 'Nous ne vendons pas vos informations personnelles.',
  sold: 'Nous pouvons vendre certaines informations personnelles. Vous pouvez nous demander à tout moment de ne pas le faire.',
  storedInIntro: 'Nous conservons vos informations aux endroits suivants :',
  transfersIntro:
    'Ces destinataires conservent vos informations ou y accèdent en dehors des lieux ci-dessus. Chaque transfert est protégé comme indiqué :',
  noTransfers: 'Vos informations ne sont pas transférées en dehors des lieux ci-dessus.',

  retentionIntro:
    "Nous ne conservons vos informations que le temps nécessaire. À la fin de la durée prévue, nous les supprimons ou les anonymisons afin qu'elles ne permettent plus de vous identifier.",
  retentionHeader: ['Informations', 'Durée de conservation', 'Pourquoi'],
  triggerAfter: {
    collected: 'après la collecte',
    'account-closed': 'après la fermeture de votre compte',
    'deletion-requested': 'après votre demande de suppression',
    'last-enrollment': 'après votre dernière inscription',
    'program-ended': 'après la fin du programme',
    unsubscribed: 'après votre désinscription',
    'contract-terminated': 'après la fin du contrat',
    'transaction-date': 'après la transaction',
    'last-activity': 'après votre dernière activité',
    'consent-withdrawn': 'après le retrait de votre consentement',
    'application-closed': 'après la clôture du processus de recrutement',
  },
  triggerUntil: {
    collected: "uniquement jusqu'à la collecte",
    'account-closed': "jusqu'à la fermeture de votre compte",
    'deletion-requested': "jusqu'à votre demande de suppression",
    'last-enrollment': "jusqu'à votre dernière inscription",
    'program-ended': "jusqu'à la fin du programme",
    unsubscribed: "jusqu'à votre désinscription",
    'contract-terminated': "jusqu'à la fin du contrat",
    'transaction-date': "jusqu'à la transaction",
    'last-activity': "jusqu'à votre dernière activité",
    'consent-withdrawn': "jusqu'au retrait de votre consentement",
    'application-closed': "jusqu'à la clôture du processus de recrutement",
  },
  retentionDelete: (when) => `${when}, puis supprimées.`,
  retentionAnonymise: (when) => `${when}, puis anonymisées.`,
  retentionAskSubject: (when) => `${when}, puis nous vous demandons si nous pouvons les conserver.`,
  retentionAskStaff: (when) =>
    `${when}, puis notre personnel vérifie si elles sont encore nécessaires.`,
  reviewOnNo: {
    delete: 'Si vous répondez non, nous les supprimons.',
    anonymise: 'Si vous répondez non, nous les anonymisons.',
  },
  reviewOnNoAnswer: {
    delete: (within) => `Sans réponse de votre part ${within}, nous les supprimons.`,
    anonymise: (within) => `Sans réponse de votre part ${within}, nous les anonymisons.`,
    keep: (within) => `Sans réponse de votre part ${within}, nous les conservons.`,
  },
  reviewOnKeep: (duration) =>
    `Si vous répondez oui, nous les conservons ${duration} de plus, puis nous vous reposons la question.`,
  staffReviewOutcome: (within, duration) =>
    `Il décide ${within} ; si elles sont encore nécessaires, elles sont conservées ${duration} de plus, sinon elles sont effacées.`,
  fallbackTrigger: (when) => `Si cet événement ne se produit jamais : ${when}.`,
  appliesToPurposes: 'Lorsqu’elles sont conservées pour',
  legalHoldsIntro:
    'Nous pouvons suspendre la suppression lorsque vos informations font l’objet d’une conservation pour raisons juridiques, uniquement pour les motifs suivants :',
  legalHoldMaximum: (duration) =>
    `Une telle conservation prend fin au bout de ${duration} si elle n'est pas renouvelée.`,

  rightsIntro: 'Vous disposez des droits suivants sur vos informations personnelles :',
  rightNames: {
    access: 'Accès',
    portability: 'Portabilité',
    rectification: 'Rectification',
    erasure: 'Effacement',
    restriction: 'Limitation',
    objection: 'Opposition',
    'withdraw-consent': 'Retrait du consentement',
    complaint: 'Plainte',
    'automated-decision-review': 'Intervention humaine',
  },
  rightDescriptions: {
    access: 'demander une copie des informations que nous détenons sur vous.',
    portability:
      'recevoir les informations que vous nous avez fournies dans un format structuré et couramment utilisé, ou les faire transmettre à une autre organisation.',
    rectification: 'faire corriger des informations inexactes ou incomplètes.',
    erasure: 'nous demander de supprimer vos informations.',
    restriction: "nous demander de limiter l'utilisation de vos informations.",
    objection:
      'vous opposer aux utilisations fondées sur nos intérêts légitimes et à la prospection commerciale.',
    'withdraw-consent': 'retirer à tout moment un consentement que vous avez donné.',
    complaint: 'déposer une plainte auprès d’une autorité de protection des données.',
    'automated-decision-review':
      "demander qu'une personne réexamine une décision prise à votre sujet uniquement par des moyens automatisés.",
  },
  deadlinesIntro:
    'Nous répondons dans les délais suivants, comptés à partir du jour où nous recevons votre demande :',
  deadlineHeader: ['Loi', 'Demandes', 'Nous répondons sous', 'Prolongation'],
  requestKinds: {
    any: 'Toutes les demandes',
    consultation: 'Consultations',
    claim: 'Réclamations',
  },
  extensionBy: (period) => `Jusqu'à ${period} de plus, si nécessaire`,
  extensionReason: 'nous vous en donnons la raison',
  extensionNotice: 'nous vous prévenons avant la fin du premier délai',
  noExtension: 'Aucune',
  businessDaysNote: 'Les jours ouvrables excluent les fins de semaine et les jours fériés.',
  calendarMonthNote:
    "Un mois civil se termine à la même date du mois suivant, ou au dernier jour de ce mois s'il est plus court.",
  howToAsk: (channels) =>
    `Vous pouvez présenter une demande ${channels}. Nos coordonnées figurent à la fin de cet avis.`,
  rightsChannels: {
    'self-service': 'dans les paramètres de votre compte',
    email: 'par courriel',
    'web-form': 'au moyen de notre formulaire en ligne',
    postal: 'par courrier',
    phone: 'par téléphone',
  },
  identityCheck: (methods) =>
    `Pour protéger vos informations, nous vérifions d'abord qu'une demande vient bien de vous : ${methods}.`,
  identityMethods: {
    'authenticated-session': 'vous êtes connecté à votre compte',
    'email-code': 'vous saisissez un code que nous envoyons à votre adresse électronique',
    'document-check': "vous nous présentez une pièce d'identité",
  },
  proxiesIntro: 'Une autre personne peut présenter une demande en votre nom :',
  proxies: {
    'guardian-of-minor': "un parent ou tuteur, s'il s'agit d'un enfant",
    'authorised-agent': 'une personne que vous avez mandatée',
    'staff-on-behalf': 'notre personnel, selon vos instructions',
    institution: "l'établissement auquel vous appartenez",
  },
  fees: {
    none: 'Présenter une demande est gratuit.',
    'reasonable-cost-if-excessive':
      'Présenter une demande est en principe gratuit. Si une demande est manifestement infondée ou excessive, nous pouvons exiger des frais raisonnables ou la refuser, et nous vous en expliquerons la raison.',
  },
  complaintsIntro:
    "Si vous n'êtes pas satisfait de la façon dont nous traitons vos informations, dites-le-nous d'abord afin que nous puissions y remédier. Vous pouvez aussi déposer une plainte auprès de l'autorité de protection des données :",

  securityIntro: 'Nous protégeons vos informations par les mesures suivantes :',
  encryptionInTransit: 'Vos informations sont chiffrées lorsqu’elles circulent sur les réseaux.',
  encryptionAtRest: 'Vos informations sont chiffrées lorsqu’elles sont stockées.',
  encryptionAtRestSensitive:
    'Les informations sensibles sont chiffrées lorsqu’elles sont stockées.',
  mfaForStaff: 'Notre personnel se connecte avec une vérification en deux étapes.',
  accessLogging: 'Nous enregistrons qui accède à vos informations et quand.',
  tenantIsolation:
    'Les données de chaque organisation cliente sont tenues à l’écart de celles des autres.',
  needToKnow:
    'Seuls les membres du personnel qui ont besoin de vos informations pour leur travail peuvent les consulter.',
  breachIntro:
    'Si un incident de sécurité met vos informations en danger, voici ce que nous faisons :',
  notifyAuthority: (duration) =>
    `Nous informons l'autorité de protection des données dans un délai de ${duration} après en avoir pris connaissance.`,
  notifyPeople: {
    always: (within) => `Nous vous informons ${within}.`,
    'risk-of-harm': (within) =>
      `S'il existe un risque réel de préjudice grave pour vous, nous vous informons ${within}.`,
    'high-risk': (within) =>
      `S'il existe un risque élevé pour vous, nous vous informons ${within}.`,
  },
  withoutUndueDelay: 'dans les meilleurs délais',
  noticeContentsIntro: 'Nous vous indiquons :',
  noticeContents: {
    'what-happened': "ce qui s'est passé",
    'data-involved': 'quelles informations sont concernées',
    'remedial-steps': 'ce que nous avons fait pour y remédier',
    precautions: 'ce que vous pouvez faire pour vous protéger',
    contact: 'à qui vous adresser pour en savoir plus',
  },
  lockdownIntro: "Pour contenir l'incident immédiatement :",
  lockdown: {
    'suspend-roles': (duration) => `accès suspendu pendant ${duration}`,
    'take-offline': (duration) => `mis hors ligne pendant ${duration}`,
    'revoke-sessions': () => 'toutes les sessions ouvertes sont fermées',
    'freeze-exports': (duration) =>
      `toutes les exportations de données sont arrêtées pendant ${duration}`,
  },
  investigation: {
    lead: "enquête sur l'incident",
    report: 'rédige un rapport détaillé',
    actionPlan: "prépare un plan d'action pour éviter qu'il ne se reproduise",
  },
  investigationWithoutLead: 'Nous enquêtons sur chaque incident',
  accountabilityLabel: 'Responsabilité',

  minimumAge: (age) => `Vous devez avoir au moins ${age} ans pour avoir un compte.`,
  noMinimumAge: "Il n'y a pas d'âge minimum pour avoir un compte.",
  guardianConsent: (age) =>
    `Pour les enfants de moins de ${age} ans, un parent ou tuteur donne son consentement en leur nom.`,
  guardianMayIntro: (age) => `Pour les enfants de moins de ${age} ans, un parent ou tuteur peut :`,
  guardianPowers: {
    review: "consulter les informations de l'enfant",
    modify: 'les faire corriger',
    delete: 'les faire supprimer',
    consent: 'donner son consentement',
    'withdraw-consent': 'retirer son consentement',
    'manage-media-sharing': 'décider si les photos et vidéos sont partagées',
    'exercise-rights': "exercer les autres droits de l'enfant",
  },
  underageFound: {
    delete: (age, when) =>
      `Si nous constatons que nous détenons des informations sur un enfant de moins de ${age} ans sans le consentement exigé par cet avis, nous les supprimons ${when}.`,
    anonymise: (age, when) =>
      `Si nous constatons que nous détenons des informations sur un enfant de moins de ${age} ans sans le consentement exigé par cet avis, nous les anonymisons ${when}.`,
  },
  askAgainAtAge:
    "Lorsqu'un enfant atteint l'âge auquel il peut consentir lui-même, nous lui demandons son propre consentement.",
  childCategoriesIntro: "Nous détenons ces types d'informations concernant des enfants :",
  childrenMarketing: {
    forbidden:
      "Nous n'utilisons jamais les informations concernant des enfants à des fins de prospection commerciale.",
    'guardian-consent':
      "Nous n'utilisons les informations concernant des enfants à des fins de prospection qu'avec le consentement d'un parent ou tuteur.",
  },

  noMarketing: 'Nous ne faisons pas de prospection commerciale.',
  marketingOptIn:
    'Nous ne vous envoyons de la prospection commerciale que si vous avez accepté de la recevoir.',
  marketingOptOut:
    'Nous pouvons vous adresser de la prospection sur des services semblables à ceux que vous utilisez ; vous pouvez refuser à tout moment.',
  marketingChannelsSentence: (channels) => `Nous pouvons vous contacter par ${channels}.`,
  marketingConsentLabel: 'Le consentement que nous demandons',
  marketingLastEnrollment: (duration) =>
    `Nous cessons de vous envoyer des promotions ${duration} après votre dernière inscription.`,
  marketingStops: (events) => `Nous ne vous envoyons de la prospection commerciale que ${events}.`,
  unsubscribeScopes: {
    person: 'pour vous-même',
    family: 'pour toute votre famille',
  },
  unsubscribeSentence: (scopes) => `Vous pouvez vous désinscrire ${scopes}.`,
  honourGpc:
    'Nous traitons le signal Global Privacy Control de votre navigateur comme une demande de ne plus recevoir de prospection.',
  bulkExportLabel: "Les exportations de listes de prospection exigent l'approbation de",

  cookiesIntro:
    'Les cookies sont de petits fichiers enregistrés sur votre appareil. Nous utilisons les suivants :',
  noCookies: "Nous n'utilisons pas de cookies.",
  cookieHeader: [
    'Cookie',
    'Finalité',
    'Votre consentement est requis',
    'Durée de vie',
    'Déposé par',
  ],
  strictlyNecessary: 'Non : strictement nécessaire',
  sessionLifetime: "jusqu'à la fermeture de votre navigateur",
  setByUs: 'nous',
  cookieConsentNote:
    "Nous ne déposons les cookies soumis à consentement qu'après votre accord, et vous pouvez modifier votre choix à tout moment.",

  changesNotice: (duration, channels) =>
    `Nous vous informons des modifications importantes au moins ${duration} avant leur entrée en vigueur, par ${channels}.`,
  changeChannels: {
    email: 'courriel',
    'website-notice': 'un avis sur notre site web',
    'in-app': 'un message dans notre application',
  },
  reacceptanceIntro: 'Nous vous demandons à nouveau votre accord avant de :',
  changeKinds: {
    'new-purpose': 'utiliser vos informations pour une nouvelle finalité',
    'new-category': "recueillir un nouveau type d'informations",
    'new-special-category': 'recueillir une nouvelle catégorie particulière de données',
    'changed-lawful-basis': "modifier la base légale d'une utilisation",
    'longer-retention': 'conserver des informations plus longtemps',
    'new-recipient': 'les partager avec un nouveau destinataire',
    'new-transfer': 'les transférer vers un nouveau pays',
    'reduced-rights': 'restreindre vos droits',
  },
  continuedUse:
    "Si vous continuez d'utiliser nos services après l'entrée en vigueur d'une modification, vous acceptez l'avis mis à jour.",
  termsToEnroll: 'Pour vous inscrire, vous devez accepter nos conditions générales.',

  contactIntro: 'Pour toute question sur cet avis ou pour exercer vos droits, contactez-nous :',
};
