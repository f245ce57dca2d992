// The local Twilio simulator by hand: `npm run twilio-sim`, then in another terminal
// `TWILIO_API_BASE_URL=<the printed URL> npm start` runs the dialer in production mode against it.
import { parseArgs } from 'node:util';
import { SIM_NUMBERS } from './scenarios.js';
import { HUMAN_TIMING, startTwilioSim } from './twilio-sim.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4010' },
    host: { type: 'string', default: '127.0.0.1' },
    repeat: { type: 'string', default: '0' },
    'delay-ms': { type: 'string', default: '0' },
    shuffle: { type: 'boolean', default: false },
    seed: { type: 'string', default: '1' },
    'verdict-after-end': { type: 'boolean', default: false },
    'answer-on-cancel': { type: 'boolean', default: false },
  },
});

const sim = await startTwilioSim({
  port: Number(values.port),
  host: values.host,
  timing: HUMAN_TIMING,
  delivery: { repeat: Number(values.repeat), delayMs: Number(values['delay-ms']), shuffle: values.shuffle, seed: Number(values.seed) },
  behaviour: { verdictAfterEnd: values['verdict-after-end'], answerOnCancel: values['answer-on-cancel'] },
  log: (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`),
});

const describe: Record<keyof typeof SIM_NUMBERS, string> = {
  human: 'a person answers, talks, hangs up (any number not listed does the same)',
  machine: 'an answering machine answers',
  busy: 'busy',
  noAnswer: 'rings, nobody answers',
  failed: 'the carrier cannot connect it',
  humanStays: 'a person answers and stays until you hang up',
  ringsOn: 'rings until you hang up',
  fax: 'a fax answers',
  invalid: 'refused: Twilio error 21211',
  unreachable: 'refused: Twilio error 21214',
  geoPermission: 'refused: Twilio error 21215',
  unsupported: 'refused: Twilio error 13224',
  rateLimited: 'refused: Twilio error 20429',
  stall: 'Twilio never answers (the dialer times out)',
};
process.stdout.write(
  [
    '',
    `  Local Twilio simulator at ${sim.url}`,
    `  Account ${sim.accountSid}, caller ID ${sim.fromNumber} (setting another caller ID gets Twilio error 21210)`,
    '',
    '  Run the dialer in production mode against it, in another terminal:',
    `    TWILIO_API_BASE_URL=${sim.url} npm start`,
    '  then turn demo mode off in Settings and call one of these numbers:',
    ...Object.entries(SIM_NUMBERS).map(([name, number]) => `    ${number}  ${describe[name as keyof typeof SIM_NUMBERS]}`),
    '',
  ].join('\n') + '\n',
);

const stop = () => void sim.close().finally(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
