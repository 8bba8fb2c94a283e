// How other services and verbs name Logstash.

export const LOGSTASH = 'logstash';
