// How other services and verbs name Flume's agents.

export const FLUME = 'flume';
