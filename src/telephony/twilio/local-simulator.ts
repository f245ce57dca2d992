/**
 * The account of the local Twilio simulator (`npm run twilio-sim`), used when
 * TWILIO_API_BASE_URL is set without Twilio credentials, so production mode can be tried with
 * no Twilio account. These values are public and work nowhere but the simulator.
 */
export const LOCAL_TWILIO_SIMULATOR = {
  accountSid: 'AC00000000000000000000000000000000',
  authToken: 'local-twilio-simulator-token',
  /** Twilio's test number for a valid caller ID. */
  fromNumber: '+15005550006',
} as const;
