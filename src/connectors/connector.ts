/** The connector interfaces live with the engine that drives them; connectors import them from here. */
export * from '../engine/connector-api.js';
