import { z } from 'zod';
import { findUserByEmail } from '../db/users.js';
import { appErrorResponse, errorResponse } from '../api/http.js';
import { clientIdentityFor } from '../telephony/twilio/voice-token.js';
import { authorizeFor } from './caller.js';
import { parseBody, type FunctionHandler } from './context.js';
import { TWILIO_NOT_CONFIGURED_MESSAGE } from './twilio-initiate-call.js';

const twilioVoiceTokenSchema = z.object({ userEmail: z.string().trim().toLowerCase().pipe(z.email()) }).strict();

/**
 * `twilioVoiceToken {userEmail}`: a Twilio Voice access token for the rep's browser
 * (@twilio/voice-sdk), whose identity is the one our answer TwiML dials.
 */
export const twilioVoiceToken: FunctionHandler = async (request, caller, { db, twilio, voiceTokens }) => {
  const input = await parseBody(request, twilioVoiceTokenSchema);
  if (!input.ok) return appErrorResponse(input.error);
  const email = authorizeFor(caller, input.value.userEmail);
  if (!email.ok) return appErrorResponse(email.error);
  if (!twilio) return errorResponse('twilio_not_configured', TWILIO_NOT_CONFIGURED_MESSAGE);
  if (!voiceTokens) {
    return errorResponse(
      'twilio_voice_not_configured',
      'Calls cannot ring in the browser on this server (no TWILIO_API_KEY and TWILIO_API_SECRET): answered calls go to the forward-to number in Settings.',
    );
  }
  const user = await findUserByEmail(db, email.value);
  if (!user) return errorResponse('forbidden', 'There is no account with that email.');
  return Response.json(voiceTokens.issue(clientIdentityFor(user.id)));
};
