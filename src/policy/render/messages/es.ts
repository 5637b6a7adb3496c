/**
 * El catálogo español del aviso. Typed against the English catalogue: a missing or misspelt key
 * is a compile error. Formal register (usted) throughout, as a notice to the public requires.
 */
import type { Messages } from './en.js';

export const es: Messages = {
  languageTag: 'es',
  languageNames: { en: 'inglés', es: 'español', fr: 'francés' },
  isSingular: (count) => count === 1,
  listSeparator: ', ',
  colon: ': ',
  listAnd: ' y ',
  listOr: ' o ',
  monthNames: [
    'enero',
    'febrero',
    'marzo',
    'abril',
    'mayo',
    'junio',
    'julio',
    'agosto',
    'septiembre',
    'octubre',
    'noviembre',
    'diciembre',
  ],
  formatDate: (day, month, year) => `${day} de ${month} de ${year}`,
  durationUnits: {
    year: ['año', 'años'],
    month: ['mes', 'meses'],
    week: ['semana', 'semanas'],
    day: ['día', 'días'],
    hour: ['hora', 'horas'],
    minute: ['minuto', 'minutos'],
    second: ['segundo', 'segundos'],
  },
  deadlineUnits: {
    'calendar-days': ['día calendario', 'días calendario'],
    'business-days': ['día hábil', 'días hábiles'],
    'calendar-months': ['mes calendario', 'meses calendario'],
  },
  territoryNames: {
    EU: 'Unión Europea',
    EEA: 'Espacio Económico Europeo',
  },
  immediately: 'de inmediato',
  within: (duration) => `en un plazo de ${duration}`,
  none: '—',
  yes: 'Sí',
  no: 'No',

  title: (organisation) => `Aviso de privacidad: ${organisation}`,
  versionLine: (version, date) => `Versión ${version}, vigente desde el ${date}.`,
  validUntil: (date) => `Esta versión es válida hasta el ${date}.`,
  availableIn: (languages) => `Este aviso está disponible en ${languages}.`,
  fallbackNote: (languages, tags) =>
    `Algunos pasajes de este aviso aún no se han traducido al español. Se muestran en ${languages} y están marcados con ${tags}.`,
  fallbackTitle: (language) => `Aún sin traducir; se muestra en ${language}`,
  tableOfContents: 'Contenido',

  headings: {
    introduction: 'Sobre este aviso',
    'who-we-are': 'Quiénes somos',
    collection: 'Qué información recogemos',
    purposes: 'Para qué usamos su información y con qué base legal',
    consents: 'Su consentimiento y cómo retirarlo',
    sharing: 'Con quién compartimos su información',
    transfers: 'Dónde se guarda y a dónde se envía su información',
    retention: 'Cuánto tiempo conservamos su información',
    rights: 'Sus derechos',
    deadlines: 'En qué plazo respondemos',
    complaints: 'Cómo presentar una queja',
    security: 'Cómo protegemos su información',
    breach: 'Si su información se ve comprometida',
    children: 'Menores de edad',
    marketing: 'Comunicaciones comerciales',
    cookies: 'Cookies',
    changes: 'Cambios en este aviso',
    contact: 'Cómo contactarnos',
    'contact-officer': 'Nuestro responsable de protección de datos',
  },

  controllerSentence: (organisation) =>
    `${organisation} decide cómo y para qué se usa su información personal, y responde por ella conforme a la ley.`,
  legalName: 'Razón social',
  contactLabels: {
    email: 'Correo electrónico',
    phone: 'Teléfono',
    postal_address: 'Dirección postal',
    website: 'Sitio web',
  },
  officerLabel: 'Persona responsable de la protección de datos',
  lawsIntro: 'Cumplimos estas leyes de protección de datos:',
  jurisdictionNames: {
    pipeda:
      'la Ley de Protección de Información Personal y Documentos Electrónicos (PIPEDA) de Canadá',
    'uk-gdpr':
      'el Reglamento General de Protección de Datos del Reino Unido (UK GDPR) y la Data Protection Act 2018',
    'eu-gdpr':
      'el Reglamento General de Protección de Datos de la UE (RGPD, Reglamento (UE) 2016/679)',
    'colombia-1581': 'la Ley Estatutaria 1581 de 2012 y el Decreto 1377 de 2013 de Colombia',
  },
  jurisdictionShortNames: {
    pipeda: 'PIPEDA (Canadá)',
    'uk-gdpr': 'UK GDPR (Reino Unido)',
    'eu-gdpr': 'RGPD (UE)',
    'colombia-1581': 'Ley 1581 (Colombia)',
  },

  collectionIntro:
    'Recogemos los tipos de información que se indican a continuación. Para cada uno indicamos qué incluye, de quién es y de dónde procede.',
  includesLabel: 'Qué incluye',
  subjectsLabel: 'De quién es',
  sourcesLabel: 'De dónde procede',
  requiredSuffix: '(obligatorio)',
  sensitiveNote: 'Información sensible: la protegemos con especial cuidado.',
  specialCategoryNote: (kind) =>
    `Dato sensible de categoría especial (${kind}): la ley le da una protección reforzada y solo lo usamos en las condiciones indicadas en la sección siguiente.`,
  childrenNote: 'Información de menores de edad: la tratamos con especial cuidado.',
  encryptedNote: 'Se guarda cifrada.',
  specialKinds: {
    'racial-or-ethnic-origin': 'origen racial o étnico',
    'political-opinions': 'opiniones políticas',
    'religious-or-philosophical-beliefs': 'convicciones religiosas o filosóficas',
    'trade-union-membership': 'afiliación sindical',
    genetic: 'datos genéticos',
    biometric: 'datos biométricos',
    health: 'salud',
    'sex-life-or-sexual-orientation': 'vida u orientación sexual',
    'criminal-convictions': 'condenas e infracciones penales',
  },
  sources: {
    subject: 'usted',
    guardian: 'su padre, madre o tutor',
    staff: 'nuestro personal',
    institution: 'la institución a la que usted pertenece',
    automatic: 'se recoge automáticamente cuando usa nuestros servicios',
    public: 'fuentes de acceso público',
  },

  purposesIntro:
    'Usamos su información solo para las finalidades siguientes. La ley exige para cada una un fundamento jurídico, llamado base legal.',
  usesLabel: 'Información utilizada',
  lawfulBasisLabel: 'Base legal',
  lawfulBases: {
    consent: 'su consentimiento',
    contract:
      'necesario para el contrato que tenemos con usted, o para medidas previas que usted nos pide',
    'legal-obligation': 'necesario para cumplir la ley',
    'legitimate-interest': 'nuestro interés legítimo',
    'vital-interests': 'necesario para proteger su vida o la de otra persona',
    'public-task': 'necesario para una misión de interés público',
  },
  lawLabel: 'Norma',
  noteLabel: 'Nota',
  interestLabel: 'Nuestro interés',
  balancingLabel: 'Por qué es justo para usted',
  rightToObject:
    'Usted puede oponerse a este uso en cualquier momento; entonces dejaremos de hacerlo salvo que existan motivos imperiosos que prevalezcan sobre sus intereses.',
  specialConditionLabel: 'Condición para los datos de categoría especial',
  specialConditions: {
    'explicit-consent': 'su consentimiento explícito',
    'employment-social-security': 'la normativa laboral y de seguridad social',
    'vital-interests':
      'la protección de su vida o la de otra persona cuando no se puede dar el consentimiento',
    'not-for-profit-body':
      'las actividades de una entidad sin ánimo de lucro, respecto de sus miembros',
    'made-public': 'información que usted mismo ha hecho pública de forma manifiesta',
    'legal-claims': 'la formulación, el ejercicio o la defensa de reclamaciones',
    'substantial-public-interest': 'un interés público esencial previsto en la ley',
    'health-or-social-care': 'la asistencia sanitaria o social',
    'public-health': 'la salud pública',
    'archiving-research-statistics': 'fines de archivo, investigación o estadística, con garantías',
    'authorised-by-law': 'una autorización legal',
  },
  marketingPurposeNote:
    'Se trata de comunicaciones comerciales: puede negarse en cualquier momento y dejaremos de enviarlas de inmediato.',
  requiresConsentNote: 'Le pedimos su consentimiento antes de empezar.',
  protectedPurposeNote:
    'Como la ley lo exige, podemos conservar esta información aunque usted nos pida eliminarla.',

  consentsIntro:
    'Cuando nos basamos en su consentimiento, usted decide. Estos son los consentimientos que le pedimos:',
  coversLabel: 'Se usa para',
  givenByLabel: 'Lo otorga',
  consentGivers: {
    subject: 'usted',
    guardian: 'su padre, madre o tutor, en el caso de un menor',
    'institution-attestation':
      'su institución, que certifica contar con el consentimiento de los padres',
    'staff-paper-form': 'usted, en un formulario en papel que registra nuestro personal',
  },
  consentForms: {
    express: 'Usted lo otorga mediante una acción clara y afirmativa.',
    explicit: 'Usted lo otorga de forma explícita, mediante una declaración clara.',
    implied: 'Puede deducirse de sus actos cuando la ley lo permite.',
  },
  separateConsentNote: 'Se lo pedimos por separado, nunca junto con otras condiciones.',
  paperFormLabel: 'Formulario en papel',
  channelsLabel: 'Canales',
  withdrawLabel: 'Cómo retirarlo',
  withdrawalMethods: {
    'self-service': 'en la configuración de su cuenta',
    'unsubscribe-link': 'con el enlace para darse de baja incluido en cada mensaje',
    email: 'por correo electrónico',
    phone: 'por teléfono',
    postal: 'por correo postal',
    'web-form': 'mediante nuestro formulario en línea',
    'staff-on-request': 'pidiéndolo a nuestro personal',
  },
  withdrawEffect:
    'Retirar el consentimiento es tan fácil como otorgarlo. No afecta a la licitud de lo que hicimos mientras su consentimiento estaba vigente.',
  marketingChannels: {
    email: 'correo electrónico',
    sms: 'mensaje de texto',
    phone: 'teléfono',
    post: 'correo postal',
    'social-media': 'redes sociales',
    'in-app': 'mensajes en nuestra aplicación',
  },

  sharingIntro:
    'Solo compartimos su información con las organizaciones siguientes, y solo lo que cada una necesita.',
  noSharing: 'No compartimos su información con otras organizaciones.',
  recipientHeader: [
    'Destinatario',
    'Qué hace',
    'Su función',
    'Dónde',
    'Información que recibe',
    'Garantías',
  ],
  relationships: {
    processor: 'Actúa por cuenta nuestra (encargado del tratamiento)',
    controller: 'Organización independiente (responsable del tratamiento)',
    'joint-controller': 'Decide junto con nosotros (corresponsable)',
    'public-authority': 'Autoridad pública',
    'source-only': 'Solo fuente de información',
  },
  safeguards: {
    dpa: 'contrato de encargo del tratamiento',
    scc: 'cláusulas contractuales tipo de la UE',
    'uk-idta': 'acuerdo de transferencia internacional de datos del Reino Unido',
    'uk-addendum': 'adenda del Reino Unido a las cláusulas contractuales tipo',
    adequacy: 'decisión de adecuación',
    bcr: 'normas corporativas vinculantes',
    'contractual-protections': 'garantías contractuales de privacidad',
    'consent-to-transfer': 'su consentimiento a la transferencia',
  },
  privacyNoticeLink: 'su aviso de privacidad',
  notSold: 'No vendemos su información personal.',
  sold: 'Podemos vender parte de la información personal. Puede pedirnos en cualquier momento que no lo hagamos.',
  storedInIntro: 'Guardamos su información en estos lugares:',
  transfersIntro:
    'Estos destinatarios guardan su información o acceden a ella fuera de los lugares anteriores. Cada transferencia está protegida como se indica:',
  noTransfers: 'Su información no se envía fuera de los lugares anteriores.',

  retentionIntro:
    'Conservamos su información solo mientras la necesitamos. Al terminar el plazo, la eliminamos o la anonimizamos para que ya no pueda identificarle.',
  retentionHeader: ['Información', 'Cuánto tiempo la conservamos', 'Por qué'],
  triggerAfter: {
    collected: 'después de su recogida',
    'account-closed': 'después de que usted cierre su cuenta',
    'deletion-requested': 'después de que usted solicite su eliminación',
    'last-enrollment': 'después de su última inscripción',
    'program-ended': 'después de que termine el programa',
    unsubscribed: 'después de que usted se dé de baja',
    'contract-terminated': 'después de que termine el contrato',
    'transaction-date': 'después de la transacción',
    'last-activity': 'después de su última actividad',
    'consent-withdrawn': 'después de que usted retire su consentimiento',
    'application-closed': 'después del cierre del proceso de selección',
  },
  triggerUntil: {
    collected: 'solo hasta su recogida',
    'account-closed': 'hasta que usted cierre su cuenta',
    'deletion-requested': 'hasta que usted solicite su eliminación',
    'last-enrollment': 'hasta su última inscripción',
    'program-ended': 'hasta que termine el programa',
    unsubscribed: 'hasta que usted se dé de baja',
    'contract-terminated': 'hasta que termine el contrato',
    'transaction-date': 'hasta la transacción',
    'last-activity': 'hasta su última actividad',
    'consent-withdrawn': 'hasta que usted retire su consentimiento',
    'application-closed': 'hasta el cierre del proceso de selección',
  },
  retentionDelete: (when) => `${when}; después se elimina.`,
  retentionAnonymise: (when) => `${when}; después se anonimiza.`,
  retentionAskSubject: (when) => `${when}; después le preguntamos si podemos conservarla.`,
  retentionAskStaff: (when) =>
    `${when}; después nuestro personal revisa si sigue siendo necesaria.`,
  reviewOnNo: {
    delete: 'Si responde que no, la eliminamos.',
    anonymise: 'Si responde que no, la anonimizamos.',
  },
  reviewOnNoAnswer: {
    delete: (within) => `Si no responde ${within}, la eliminamos.`,
    anonymise: (within) => `Si no responde ${within}, la anonimizamos.`,
    keep: (within) => `Si no responde ${within}, la conservamos.`,
  },
  reviewOnKeep: (duration) =>
    `Si responde que sí, la conservamos ${duration} más y volvemos a preguntarle.`,
  staffReviewOutcome: (within, duration) =>
    `Deciden ${within}; si sigue siendo necesaria se conserva ${duration} más; si no, se suprime.`,
  fallbackTrigger: (when) => `Si eso nunca ocurre: ${when}.`,
  appliesToPurposes: 'Cuando se conserva para',
  legalHoldsIntro:
    'Podemos suspender la eliminación mientras su información esté sujeta a una retención legal, solo por estos motivos:',
  legalHoldMaximum: (duration) => `Una retención termina a los ${duration} si no se renueva.`,

  rightsIntro: 'Usted tiene estos derechos sobre su información personal:',
  rightNames: {
    access: 'Acceso',
    portability: 'Portabilidad',
    rectification: 'Rectificación',
    erasure: 'Supresión',
    restriction: 'Limitación',
    objection: 'Oposición',
    'withdraw-consent': 'Retirada del consentimiento',
    complaint: 'Queja',
    'automated-decision-review': 'Revisión humana',
  },
  rightDescriptions: {
    access: 'pedir una copia de la información que tenemos sobre usted.',
    portability:
      'recibir la información que nos dio en un formato estructurado y de uso común, o que la enviemos a otra organización.',
    rectification: 'que corrijamos la información inexacta o incompleta.',
    erasure: 'pedirnos que eliminemos su información.',
    restriction: 'pedirnos que limitemos el uso de su información.',
    objection:
      'oponerse a los usos basados en nuestro interés legítimo y a las comunicaciones comerciales.',
    'withdraw-consent': 'retirar en cualquier momento el consentimiento que haya otorgado.',
    complaint: 'presentar una queja ante una autoridad de protección de datos.',
    'automated-decision-review':
      'pedir que una persona revise una decisión tomada sobre usted únicamente por medios automatizados.',
  },
  deadlinesIntro:
    'Respondemos en estos plazos, contados desde el día en que recibimos su solicitud:',
  deadlineHeader: ['Ley', 'Solicitudes', 'Respondemos en', 'Prórroga'],
  requestKinds: {
    any: 'Todas las solicitudes',
    consultation: 'Consultas',
    claim: 'Reclamos',
  },
  extensionBy: (period) => `Hasta ${period} más, si es necesario`,
  extensionReason: 'le explicamos el motivo',
  extensionNotice: 'se lo comunicamos antes de que venza el primer plazo',
  noExtension: 'Ninguna',
  businessDaysNote: 'Los días hábiles no incluyen fines de semana ni días festivos.',
  calendarMonthNote:
    'Un mes calendario termina el mismo día del mes siguiente, o el último día de ese mes si es más corto.',
  howToAsk: (channels) =>
    `Puede presentar una solicitud ${channels}. Nuestros datos de contacto figuran al final de este aviso.`,
  rightsChannels: {
    'self-service': 'en la configuración de su cuenta',
    email: 'por correo electrónico',
    'web-form': 'mediante nuestro formulario en línea',
    postal: 'por correo postal',
    phone: 'por teléfono',
  },
  identityCheck: (methods) =>
    `Para proteger su información, primero comprobamos que la solicitud procede realmente de usted: ${methods}.`,
  identityMethods: {
    'authenticated-session': 'ha iniciado sesión en su cuenta',
    'email-code': 'introduce un código que le enviamos por correo electrónico',
    'document-check': 'nos muestra un documento de identidad',
  },
  proxiesIntro: 'Otra persona puede presentar una solicitud en su nombre:',
  proxies: {
    'guardian-of-minor': 'su padre, madre o tutor, en el caso de un menor',
    'authorised-agent': 'una persona a la que usted haya autorizado',
    'staff-on-behalf': 'nuestro personal, siguiendo sus instrucciones',
    institution: 'la institución a la que usted pertenece',
  },
  fees: {
    none: 'Presentar una solicitud es gratuito.',
    'reasonable-cost-if-excessive':
      'Presentar una solicitud suele ser gratuito. Si una solicitud es manifiestamente infundada o excesiva, podemos cobrar un importe razonable o rechazarla, y le explicaremos el motivo.',
  },
  complaintsIntro:
    'Si no está satisfecho con el tratamiento de su información, díganoslo primero para que podamos corregirlo. También puede presentar una queja ante la autoridad de protección de datos:',

  securityIntro: 'Protegemos su información con estas medidas:',
  encryptionInTransit: 'Su información viaja cifrada por las redes.',
  encryptionAtRest: 'Su información se guarda cifrada.',
  encryptionAtRestSensitive: 'La información sensible se guarda cifrada.',
  mfaForStaff: 'Nuestro personal inicia sesión con verificación en dos pasos.',
  accessLogging: 'Registramos quién accede a su información y cuándo.',
  tenantIsolation:
    'Los datos de cada organización cliente se mantienen separados de los de las demás.',
  needToKnow: 'Solo el personal que necesita su información para su trabajo puede verla.',
  breachIntro:
    'Si un incidente de seguridad pone en riesgo su información, esto es lo que hacemos:',
  notifyAuthority: (duration) =>
    `Informamos a la autoridad de protección de datos en un plazo de ${duration} desde que lo detectamos.`,
  notifyPeople: {
    always: (within) => `Le informamos ${within}.`,
    'risk-of-harm': (within) =>
      `Si existe un riesgo real de daño significativo para usted, le informamos ${within}.`,
    'high-risk': (within) => `Si existe un riesgo alto para usted, le informamos ${within}.`,
  },
  withoutUndueDelay: 'sin dilación indebida',
  noticeContentsIntro: 'Le explicamos:',
  noticeContents: {
    'what-happened': 'qué ocurrió',
    'data-involved': 'qué información se vio afectada',
    'remedial-steps': 'qué hemos hecho al respecto',
    precautions: 'qué puede hacer usted para protegerse',
    contact: 'a quién dirigirse para obtener más información',
  },
  lockdownIntro: 'Para contener el incidente de inmediato:',
  lockdown: {
    'suspend-roles': (duration) => `acceso suspendido durante ${duration}`,
    'take-offline': (duration) => `desconexión durante ${duration}`,
    'revoke-sessions': () => 'se cierran todas las sesiones abiertas',
    'freeze-exports': (duration) =>
      `todas las exportaciones de datos se detienen durante ${duration}`,
  },
  investigation: {
    lead: 'investiga el incidente',
    report: 'redacta un informe detallado',
    actionPlan: 'prepara un plan de acción para que no vuelva a ocurrir',
  },
  investigationWithoutLead: 'Investigamos todo incidente',
  accountabilityLabel: 'Responsabilidad',

  minimumAge: (age) => `Debe tener al menos ${age} años para tener una cuenta.`,
  noMinimumAge: 'No hay una edad mínima para tener una cuenta.',
  guardianConsent: (age) =>
    `En el caso de menores de ${age} años, su padre, madre o tutor otorga el consentimiento en su nombre.`,
  guardianMayIntro: (age) => `En el caso de menores de ${age} años, su padre, madre o tutor puede:`,
  guardianPowers: {
    review: 'consultar la información del menor',
    modify: 'pedir que se corrija',
    delete: 'pedir que se elimine',
    consent: 'otorgar el consentimiento',
    'withdraw-consent': 'retirar el consentimiento',
    'manage-media-sharing': 'decidir si se comparten fotos y videos',
    'exercise-rights': 'ejercer los demás derechos del menor',
  },
  underageFound: {
    delete: (age, when) =>
      `Si descubrimos que tenemos información de un menor de ${age} años sin el consentimiento que exige este aviso, la eliminamos ${when}.`,
    anonymise: (age, when) =>
      `Si descubrimos que tenemos información de un menor de ${age} años sin el consentimiento que exige este aviso, la anonimizamos ${when}.`,
  },
  askAgainAtAge:
    'Cuando un menor alcanza la edad en la que puede consentir por sí mismo, le pedimos su propio consentimiento.',
  childCategoriesIntro: 'Tenemos estos tipos de información de menores:',
  childrenMarketing: {
    forbidden: 'Nunca usamos información de menores para comunicaciones comerciales.',
    'guardian-consent':
      'Solo usamos información de menores para comunicaciones comerciales con el consentimiento de su padre, madre o tutor.',
  },

  noMarketing: 'No enviamos comunicaciones comerciales.',
  marketingOptIn: 'Solo le enviamos comunicaciones comerciales si ha aceptado recibirlas.',
  marketingOptOut:
    'Podemos enviarle comunicaciones comerciales sobre servicios similares a los que usa; puede negarse en cualquier momento.',
  marketingChannelsSentence: (channels) => `Podemos contactarle por ${channels}.`,
  marketingConsentLabel: 'El consentimiento que le pedimos',
  marketingLastEnrollment: (duration) =>
    `Dejamos de enviarle promociones ${duration} después de su última inscripción.`,
  marketingStops: (events) => `Solo le enviamos comunicaciones comerciales ${events}.`,
  unsubscribeScopes: {
    person: 'para usted',
    family: 'para toda su familia',
  },
  unsubscribeSentence: (scopes) => `Puede darse de baja ${scopes}.`,
  honourGpc:
    'Tratamos la señal Global Privacy Control de su navegador como una solicitud de no recibir comunicaciones comerciales.',
  bulkExportLabel: 'Las exportaciones de listas comerciales requieren la aprobación de',

  cookiesIntro:
    'Las cookies son pequeños archivos que se guardan en su dispositivo. Usamos las siguientes:',
  noCookies: 'No usamos cookies.',
  cookieHeader: ['Cookie', 'Finalidad', 'Requiere su consentimiento', 'Duración', 'La instala'],
  strictlyNecessary: 'No: estrictamente necesaria',
  sessionLifetime: 'hasta que cierre el navegador',
  setByUs: 'nosotros',
  cookieConsentNote:
    'Solo instalamos las cookies que requieren su consentimiento después de que usted lo otorgue, y puede cambiar su elección en cualquier momento.',

  changesNotice: (duration, channels) =>
    `Le informamos de los cambios significativos al menos ${duration} antes de que entren en vigor, por ${channels}.`,
  changeChannels: {
    email: 'correo electrónico',
    'website-notice': 'un aviso en nuestro sitio web',
    'in-app': 'un mensaje en nuestra aplicación',
  },
  reacceptanceIntro: 'Le volvemos a pedir su aceptación antes de:',
  changeKinds: {
    'new-purpose': 'usar su información para una nueva finalidad',
    'new-category': 'recoger un nuevo tipo de información',
    'new-special-category': 'recoger un nuevo tipo de dato sensible de categoría especial',
    'changed-lawful-basis': 'cambiar la base legal de un uso',
    'longer-retention': 'conservar la información durante más tiempo',
    'new-recipient': 'compartirla con un nuevo destinatario',
    'new-transfer': 'enviarla a un nuevo país',
    'reduced-rights': 'reducir sus derechos',
  },
  continuedUse:
    'Si sigue usando nuestros servicios después de que un cambio entre en vigor, acepta el aviso actualizado.',
  termsToEnroll: 'Para inscribirse, debe aceptar nuestros Términos y Condiciones.',

  contactIntro:
    'Para cualquier pregunta sobre este aviso o para ejercer sus derechos, contáctenos:',
};
