import { registerEnumType } from 'type-graphql';

export enum Channel {
  EMAIL = 'EMAIL',
  SMS = 'SMS',
  POST = 'POST',
  PHONE = 'PHONE',
  PUSH = 'PUSH',
}

export enum ConsentState {
  GRANTED = 'GRANTED',
  WITHDRAWN = 'WITHDRAWN',
  NOT_ASKED = 'NOT_ASKED',
}

export enum ContactPurpose {
  MARKETING = 'MARKETING',
  THIRD_PARTY_OFFERS = 'THIRD_PARTY_OFFERS',
  QUOTE_FOLLOW_UP = 'QUOTE_FOLLOW_UP',
}

export enum ConsentSource {
  WEB = 'WEB',
  APP = 'APP',
  EMAIL_UNSUBSCRIBE = 'EMAIL_UNSUBSCRIBE',
  POST = 'POST',
  STAFF = 'STAFF',
}

registerEnumType(Channel, {
  name: 'Channel',
  description: 'A way a brand may contact a customer',
  valuesConfig: {
    EMAIL: { description: 'Marketing email' },
    SMS: { description: 'Text messages' },
    POST: { description: 'Letters and catalogues' },
    PHONE: { description: 'Phone calls' },
    PUSH: { description: "Push notifications in the brand's app, per topic" },
  },
});

registerEnumType(ConsentState, {
  name: 'ConsentState',
  description: '"Never asked" and "said no" are different facts',
  valuesConfig: {
    GRANTED: { description: 'The customer said yes' },
    WITHDRAWN: { description: 'The customer said no, or took a yes back' },
    NOT_ASKED: { description: 'The customer was never asked: no consent' },
  },
});

registerEnumType(ContactPurpose, {
  name: 'ContactPurpose',
  description: 'Why a brand wants to contact the customer',
  valuesConfig: {
    MARKETING: { description: "The brand's own marketing: needs the channel GRANTED" },
    THIRD_PARTY_OFFERS: {
      description: "Offers from the brand's suppliers: needs the channel and thirdPartyOffers",
    },
    QUOTE_FOLLOW_UP: {
      description:
        'John Lewis Finance discussing a quote still valid, by PHONE or EMAIL, unless the ' +
        'customer withdrew quoteFollowUp',
    },
  },
});

registerEnumType(ConsentSource, {
  name: 'ConsentSource',
  description: 'Where a consent change came from',
  valuesConfig: {
    WEB: { description: "A brand's website (My Account)" },
    APP: { description: "A brand's app" },
    EMAIL_UNSUBSCRIBE: { description: 'An unsubscribe link in an email' },
    POST: { description: 'A letter, entered by staff' },
    STAFF: { description: 'The customer-data team, such as on a phone call' },
  },
});
