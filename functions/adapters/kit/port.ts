// The port text every adapter reads and writes is the domain's (diagnose compares it too): one parser for both.
export * from '../../domain/port.js';
