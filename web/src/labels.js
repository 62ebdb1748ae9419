// The Chinese words the screens use for the API's tokens, in one place so that every screen
// says the same thing (统一用语: 响应率、解决率、满意率、综合成绩、督办、回访、签收、办结反馈).

export const ROLE_LABELS = {
  operator: '话务员', handler: '承办单位', supervisor: '督查领导', inspector: '巡察组',
  admin: '系统管理员', public: '公众', resident: '居民', system: '系统',
};

export const STATUS = [
  ['received', '已受理'], ['dispatched', '已派单'], ['accepted', '办理中'], ['objected', '异议待审'],
  ['replied', '已反馈'], ['called_back', '已回访'], ['closed', '已办结'], ['transferred', '已移交'],
];
export const STATUS_LABELS = Object.fromEntries(STATUS);

export const TYPES = [
  ['consult', '咨询'], ['help', '求助'], ['complaint', '投诉'], ['report', '举报'], ['suggestion', '建议'],
];
export const TYPE_LABELS = Object.fromEntries(TYPES);

export const URGENCY = [['normal', '普通'], ['urgent', '紧急'], ['emergency', '特急']];
export const URGENCY_LABELS = Object.fromEntries(URGENCY);

export const SOURCES = {
  hotline: '12345热线', web: '网络', open311: 'Open311', inspection: '巡察', grid: '网格',
  proactive: '主动治理',
};

export const LEVELS = {
  district: '区', township: '街道/乡镇', community: '社区/村', grid: '网格', department: '委办局',
};

export const EVENT_LABELS = {
  created: '受理', dispatched: '派单', answered: '直接答复', accepted: '签收', objected: '派单异议',
  objection_reviewed: '异议审核', extended: '延期', supervised: '督办', replied: '办结反馈',
  callback: '回访', closed: '办结', reopened: '重办', merged: '合并', transferred: '移交',
  verified: '整改验收', attached: '附件', remote_updated: '对方进展',
};

export const SATISFACTION = ['满意', '基本满意', '不满意'];

export const METRIC_LABELS = {
  resolution_rate: '解决率', satisfaction_rate: '满意率', overdue_rate: '超期率', reopen_rate: '重办率',
};

// 楼门院议事协商 (docs/community.md).
export const PROPOSAL_STATUS = { open: '协商中', agreed: '已达成共识', rejected: '未通过' };
export const VOTES = [['for', '赞成'], ['against', '反对'], ['abstain', '弃权']];
export const VOTE_LABELS = Object.fromEntries(VOTES);
export const OUTCOMES = [['agreed', '同意'], ['rejected', '不同意']];

// 征求意见.
export const CONSULTATION_STATE = { open: '征求中', upcoming: '未开始', closed: '已结束' };
