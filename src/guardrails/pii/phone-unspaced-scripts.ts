/**
 * Phone numbers in text of scripts written without spaces between words: Chinese, Japanese,
 * Korean, Thai, Lao, Myanmar and Khmer. A number sits right against the words around it
 * ("请拨打13812345678联系我", "携帯は090-1234-5678です", "010-1234-5678로 연락", "โทร0812345678ครับ",
 * "ဖုန်း09123456789ပါ"): such a letter next to a number is ordinary writing, not a sign that the
 * number is part of a code, as a Latin letter is. The cue words are those of these languages, and
 * the national plans read are China's, Japan's, Korea's, Taiwan's, Hong Kong's, Thailand's,
 * Laos', Myanmar's and Cambodia's.
 */
import type { CountryCode } from 'libphonenumber-js/min';
import { hasUnspacedScriptLetter, isUnspacedScriptLetter } from './letters.js';

export const UNSPACED_SCRIPT_REGIONS: readonly CountryCode[] = ['CN', 'JP', 'KR', 'TW', 'HK', 'TH', 'LA', 'MM', 'KH'];

/** Whether such writing is next to a number: the words before it or after it. */
export function nearUnspacedScriptText(before: string, after: string): boolean {
  return hasUnspacedScriptLetter(before) || hasUnspacedScriptLetter(after);
}

/** Whether `after` (the text right after a number) starts with a letter of such a script. */
export function followedByUnspacedScriptLetter(after: string): boolean {
  return after !== '' && isUnspacedScriptLetter(after.charCodeAt(0));
}

// Phone, mobile, landline, fax, hotline, "call", "contact" (Chinese simplified and traditional,
// Japanese, Korean, Thai, Lao, Khmer, Myanmar). No word boundaries: none of these scripts has them.
export const UNSPACED_SCRIPT_CUE =
  /电话|電話|手机|手機|座机|座機|拨打|撥打|致电|致電|来电|來電|热线|熱線|传真|傳真|联系|聯繫|聯絡|连络|連絡|携帯|ケータイ|でんわ|ファックス|ファクス|전화|휴대폰|핸드폰|연락|팩스|โทร|เบอร์|มือถือ|ติดต่อ|แฟกซ์|สายด่วน|ໂທ|ເບີ|ມືຖື|ຕິດຕໍ່|ទូរស័ព្ទ|ទំនាក់ទំនង|ហ្វាក់|ဖုန်း|ဆက်သွယ်|မိုဘိုင်း/g;
// Order, account, card, number of an ID, postcode, tracking, invoice, amount: the number belongs to them.
export const UNSPACED_SCRIPT_ANTI_CUE =
  /订单|訂單|单号|單號|账号|帳號|账户|帳戶|卡号|卡號|编号|編號|身份证|身分證|邮编|郵編|郵便番号|运单|運單|快递|快遞|发票|發票|金额|金額|注文|口座|伝票|会員番号|주문|계좌|카드|송장|우편번호|금액|คำสั่งซื้อ|บัญชี|บัตร|พัสดุ|ใบแจ้งหนี้|รหัสไปรษณีย์|จำนวนเงิน|ບັນຊີ|ບັດ|គណនី|កាត|အကောင့်|ကတ်/g;
